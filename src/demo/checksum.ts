/**
 * The CPU-bound work of `weft demo dishes --work cpu`: checksumming a dish's bytes (FNV-1a
 * over bytes made from the dish's number), a fixed amount of computing per dish, so that
 * spreading the dryers over threads or processes really does more dishes a second — unlike
 * sleeping, which any number of tasks do at once on one thread. This module is loaded in
 * worker threads and child processes too: it imports nothing.
 * @module
 */

/** The FNV-1a checksum of `bytes` bytes of dish `dish` (byte i is `(dish * 31 + i) & 0xff`). */
export function checksumDish(dish: number, bytes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes; i++) hash = Math.imul(hash ^ ((dish * 31 + i) & 0xff), 0x01000193);
  return hash >>> 0;
}

/**
 * How many bytes `checksumDish` goes through in about `ms` ms on this machine, measured
 * now in this thread (a few ms): the amount of CPU work that stands in for a sleep of `ms`.
 */
export function bytesForMs(ms: number): number {
  if (ms <= 0) return 0;
  checksumDish(0, 200_000); // warm up: measure the optimised loop
  let bytes = 100_000;
  for (;;) {
    const start = performance.now();
    checksumDish(1, bytes);
    const took = performance.now() - start;
    // At least 2 ms measured, for a rate the timer's resolution does not blur.
    if (took >= 2) return Math.max(1, Math.round((bytes / took) * ms));
    bytes *= 4;
  }
}
