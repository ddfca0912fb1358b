/**
 * The FIFO of threads waiting for their turn at a shared primitive, kept in its words: one
 * entry (a thread tag) per waiting thread, however many of its tasks wait (they queue in
 * that thread's own waiter queue). A thread's *position* is its place in the list, or the
 * list's length for a thread not in it; a primitive serves positions in order (the lock goes
 * to position 0, the k-th item of a queue to position k), so a thread that just came never
 * overtakes one that waits. Every function here runs under the primitive's mutex.
 * @module
 */
import { tagAlive } from './thread-tag.js';

/** Threads that may wait at one primitive at once. */
export const TURN_CAPACITY = 128;
/** Words a list takes: its length, then its entries. */
export const TURN_WORDS = 1 + TURN_CAPACITY;

/** `tag`'s position in the list at `words[at]`. */
export function positionOf(words: Int32Array, at: number, tag: number): number {
  const length = words[at]!;
  for (let i = 0; i < length; i++) if (words[at + 1 + i] === tag) return i;
  return length;
}

/** How many threads wait in the list. */
export function turnsWaiting(words: Int32Array, at: number): number {
  return words[at]!;
}

/** Adds `tag` at the end unless it is in the list already. */
export function joinTurns(words: Int32Array, at: number, tag: number): void {
  const length = words[at]!;
  if (positionOf(words, at, tag) < length) return;
  if (length === TURN_CAPACITY) {
    throw new RangeError(
      `more than ${TURN_CAPACITY} threads wait at one shared primitive at once; use fewer threads or a primitive each`,
    );
  }
  words[at + 1 + length] = tag;
  words[at] = length + 1;
}

/**
 * Takes `tag` out of the list (if it is in it); `true` if threads stood behind it (their
 * positions moved up: wake them).
 */
export function leaveTurns(words: Int32Array, at: number, tag: number): boolean {
  const length = words[at]!;
  const i = positionOf(words, at, tag);
  if (i === length) return false;
  words.copyWithin(at + 1 + i, at + 2 + i, at + 1 + length);
  words[at] = length - 1;
  return i < length - 1;
}

/** Moves `tag` to the end (its thread was served and still has tasks waiting); `true` if it moved. */
export function requeueTurn(words: Int32Array, at: number, tag: number): boolean {
  if (!leaveTurns(words, at, tag)) return false;
  joinTurns(words, at, tag);
  return true;
}

/** Takes threads that have ended out of the list; `true` if there were any. */
export function dropDeadTurns(words: Int32Array, at: number): boolean {
  let length = words[at]!;
  let dropped = false;
  for (let i = length - 1; i >= 0; i--) {
    if (!tagAlive(words[at + 1 + i]!)) {
      words.copyWithin(at + 1 + i, at + 2 + i, at + 1 + length);
      length--;
      dropped = true;
    }
  }
  words[at] = length;
  return dropped;
}
