// The trivial task of the thread-pool benchmark for piscina and tinypool, which both run a
// worker module's default export.
export default function increment(x) {
  return x + 1;
}
