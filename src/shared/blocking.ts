/**
 * The rule for the `*Sync` calls of shared primitives: they block the calling thread, so
 * they are for worker threads only — the main thread's event loop serves every other
 * thread's messages, timers and I/O, and blocking it stalls them all.
 * @module
 */
import { isMainThread } from 'node:worker_threads';
import { invalidTimeout } from '../core/options.js';
import { RuntimeError } from '../errors.js';

/** Options of a blocking call: a timeout only (a signal cannot fire while the thread blocks). */
export interface SyncWaitOptions {
  /** Give up after this many milliseconds (`0`: do not wait; absent or `Infinity`: wait forever). */
  timeout?: number | undefined;
}

/** Refuses a blocking call on the main thread and checks its options; returns the timeout. */
export function blockingTimeout(
  opts: SyncWaitOptions | undefined,
  where: string,
): number | undefined {
  if (isMainThread) {
    throw new RuntimeError(
      `${where} would block the main thread, whose event loop every other thread needs; use the async form (without Sync) there`,
    );
  }
  if (opts === undefined) return undefined;
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(`${where}: options must be an object like { timeout }`);
  }
  if ('signal' in opts && opts.signal !== undefined) {
    throw new TypeError(
      `${where}: a blocking call cannot watch a signal (the thread is blocked); use the async form`,
    );
  }
  const { timeout } = opts;
  if (timeout === undefined || timeout === Infinity) return undefined;
  const err = invalidTimeout(timeout, where);
  if (err) throw err;
  return timeout;
}
