/**
 * How a thread is named inside shared memory: one `Int32` *tag*, never 0, that shared
 * primitives store as a holder or a waiter, and that any thread can check for life
 * without asking anyone (a dead holder must not block the others forever).
 *
 * A thread weft knows (the main thread, a `Thread`, a pool worker) is tagged with its slot
 * in the process's thread table and the low bits of that slot's generation: the tag stays
 * unique while the thread lives, and the table tells when it has ended. A worker weft did
 * not start has a table of its own, so it is tagged by its `threadId`, negated: it counts
 * as alive for as long as the process does.
 * @module
 */
import { threadId } from 'node:worker_threads';
import { currentTableKey, threadTable } from '../thread/registry.js';

const SLOT_BITS = 17;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const GEN_MASK = 0x3fff;

let ownTag = 0;
let ownSections: { words: Int32Array; index: number } | null | undefined;

/** This thread's tag (made on first use). */
export function currentTag(): number {
  if (ownTag === 0) {
    const key = currentTableKey();
    ownTag =
      key === undefined ? -(threadId + 1) : ((key.gen & GEN_MASK) << SLOT_BITS) | (key.slot + 1);
  }
  return ownTag;
}

/** Whether the thread `tag` names may still be running (a foreign worker always may). */
export function tagAlive(tag: number): boolean {
  if (tag <= 0) return true;
  const gen = threadTable().genAt((tag & SLOT_MASK) - 1);
  return gen !== undefined && (gen & GEN_MASK) === tag >>> SLOT_BITS;
}

/**
 * This thread's count of shared-memory sections it is inside (in the thread table), or
 * `null` in a worker weft did not start (weft never terminates one).
 */
export function currentSections(): { words: Int32Array; index: number } | null {
  if (ownSections === undefined) {
    const key = currentTableKey();
    ownSections = key === undefined ? null : threadTable().sectionsWord(key);
  }
  return ownSections;
}
