/**
 * `acquireAll` — take several locks without risking deadlock (the Python Cookbook's
 * "avoiding deadlock" recipe: one global order, checked per task).
 * @module
 */
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { LockOrderError, TimeoutError } from '../errors.js';
import type { OrderedLock } from './ordinal.js';

/**
 * Acquires every lock in one global order (the order the locks were created in) and
 * returns a `Disposable` that releases them in reverse. Two tasks that ask for `x, y` and
 * `y, x` therefore never deadlock. Inside a task, the locks it holds through
 * `acquireAll` are remembered, and asking for a lock that sorts before one already held
 * throws `LockOrderError` instead of risking a deadlock. (Outside any task the locks are
 * still taken in order, but nesting cannot be checked: concurrent plain async functions
 * cannot be told apart. Run them with `spawn()` to get the check.)
 *
 * An optional last argument `{ timeout, signal }` bounds the whole acquisition; if it
 * runs out or aborts, the locks taken so far are released and nothing is held.
 *
 * @example
 * ```ts
 * const x = new Lock(), y = new Lock();
 * spawn(async () => { using _ = await acquireAll(x, y); ... });
 * spawn(async () => { using _ = await acquireAll(y, x); ... }); // same order inside: no deadlock
 * ```
 */
export async function acquireAll(
  ...args: [...OrderedLock[]] | [...OrderedLock[], WaitOptions]
): Promise<Disposable> {
  const last = args.at(-1);
  const opts = last !== undefined && !isOrderedLock(last) ? (args.pop() as WaitOptions) : undefined;
  const err = invalidWaitOptions(opts, 'acquireAll');
  if (err) throw err;
  const locks = args as OrderedLock[];
  locks.forEach((lock, i) => {
    if (!isOrderedLock(lock)) {
      throw new TypeError(
        `acquireAll: argument ${i} must be a weft Lock, RLock or Semaphore, got ${describe(lock)}`,
      );
    }
  });
  const sorted = [...new Set(locks)].sort((a, b) => a.ordinal - b.ordinal);
  const identity = currentIdentity();
  const held = identity?.heldOrdinals;
  if (held !== undefined && held.length > 0 && sorted.length > 0) {
    const highest = held[held.length - 1]!;
    if (sorted[0]!.ordinal <= highest) {
      throw new LockOrderError(
        `acquireAll: this task already holds lock #${highest} and asked for lock #${sorted[0]!.ordinal}, which sorts before it; ` +
          'taking them out of order can deadlock. Release the held locks first, or take all of them in one acquireAll call.',
      );
    }
  }
  const deadline = opts?.timeout === undefined ? undefined : performance.now() + opts.timeout;
  const taken: OrderedLock[] = [];
  try {
    for (const lock of sorted) {
      const timeout =
        deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
      const ok = await lock.acquire({ timeout, signal: opts?.signal });
      if (!ok)
        throw new TimeoutError(
          `acquireAll: not all ${sorted.length} locks acquired within ${opts?.timeout} ms`,
        );
      taken.push(lock);
    }
  } catch (error) {
    for (const lock of taken.reverse()) lock.release();
    throw error;
  }
  for (const lock of taken) held?.push(lock.ordinal);
  let released = false;
  return {
    [Symbol.dispose]() {
      if (released) return;
      released = true;
      for (let i = taken.length - 1; i >= 0; i--) {
        const lock = taken[i]!;
        if (held !== undefined) held.splice(held.lastIndexOf(lock.ordinal), 1);
        lock.release();
      }
    },
  };
}

function isOrderedLock(value: unknown): value is OrderedLock {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as OrderedLock).ordinal === 'number' &&
    typeof (value as OrderedLock).acquire === 'function'
  );
}
