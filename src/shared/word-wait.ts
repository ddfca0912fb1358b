/**
 * Waiting for a shared word to change without blocking the event loop: `Atomics.waitAsync`,
 * typed (Node 20's TypeScript library lacks it). A pending wait keeps nothing alive; the
 * waits of weft's shared primitives keep the program alive through their waiter's timer,
 * as any timed wait does.
 * @module
 */

type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };

const waitAsync = (
  Atomics as unknown as {
    waitAsync(words: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
  }
).waitAsync;

/**
 * Resolves once `words[index]` is not `seen`, or after `ms`: `'ok'` when a notify woke it,
 * `'timed-out'`; `undefined` (no promise) when it is not `seen` now.
 */
export function waitChange(
  words: Int32Array,
  index: number,
  seen: number,
  ms: number,
): Promise<'ok' | 'timed-out'> | undefined {
  const result = waitAsync(words, index, seen, ms);
  return result.async ? result.value : undefined;
}

/** Whether this thread may block (`Atomics.wait`): not the main thread, whose loop serves everyone. */
export { isMainThread as mayNotBlock } from 'node:worker_threads';
