// The empty target of the start-up benchmark: a module that only defines a function. A bare
// Worker or fork runs it as its whole program; weft's Thread and Process run its `ready`
// export as their target (`{ module, name }`), so the child loads nothing of weft's but its
// own entry.
export function ready() {
  return true;
}
