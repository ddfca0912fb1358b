/**
 * The short internal mutex that guards a shared primitive's words while one thread reads
 * and changes them (never while user code runs): two `Int32` words, the state (0 free,
 * 1 held, 2 held with sleepers — Drepper's futex mutex) and the holder's tag.
 *
 * A sleeper wakes now and then to check the holder is alive: a thread terminated while
 * inside (the only way the mutex stays held) is overtaken, so a dead thread costs at worst
 * the one change it was making, never a hang.
 * @module
 */
import { STOPPING } from '../thread/thread-table.js';
import { currentSections, currentTag, tagAlive } from './thread-tag.js';

/** Words a mutex takes: state, holder. */
export const MUTEX_WORDS = 2;

const FREE = 0;
const HELD = 1;
const CONTENDED = 2;
const SPINS = 64;
/** How long a sleeper waits before checking the holder is still alive. */
const CHECK_MS = 50;

/** Takes the mutex at `words[at]`; blocks this thread only for as long as another is inside. */
export function enter(words: Int32Array, at: number): void {
  const sections = currentSections();
  // Counted before it is taken: a thread being terminated is let go only once outside every mutex.
  if (sections !== null && Atomics.add(sections.words, sections.index, 1) === STOPPING) {
    awaitTermination(sections);
  }
  if (Atomics.compareExchange(words, at, FREE, HELD) !== FREE) contend(words, at);
  words[at + 1] = currentTag();
}

/** Gives the mutex back, waking one sleeper if there is one. */
export function leave(words: Int32Array, at: number): void {
  words[at + 1] = 0;
  if (Atomics.exchange(words, at, FREE) === CONTENDED) Atomics.notify(words, at, 1);
  const sections = currentSections();
  if (sections !== null && Atomics.sub(sections.words, sections.index, 1) === STOPPING + 1) {
    Atomics.notify(sections.words, sections.index);
  }
}

/** This thread is being terminated and is outside every mutex: it must stay so until it ends. */
function awaitTermination(sections: { words: Int32Array; index: number }): never {
  Atomics.sub(sections.words, sections.index, 1);
  Atomics.notify(sections.words, sections.index);
  const never = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(never, 0, 0);
}

function contend(words: Int32Array, at: number): void {
  for (let i = 0; i < SPINS; i++) {
    if (
      Atomics.load(words, at) === FREE &&
      Atomics.compareExchange(words, at, FREE, HELD) === FREE
    ) {
      return;
    }
  }
  while (Atomics.exchange(words, at, CONTENDED) !== FREE) {
    if (Atomics.wait(words, at, CONTENDED, CHECK_MS) === 'timed-out' && overtakeDead(words, at)) {
      return;
    }
  }
}

/** Takes the mutex over from a holder that died inside it; `false` if it lives (or another took over). */
function overtakeDead(words: Int32Array, at: number): boolean {
  const holder = Atomics.load(words, at + 1);
  if (holder === 0 || tagAlive(holder)) return false;
  // Only one sleeper wins the holder word; the state stays CONTENDED, so leave() wakes the rest.
  return Atomics.compareExchange(words, at + 1, holder, currentTag()) === holder;
}
