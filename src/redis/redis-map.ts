/**
 * `RedisExecutor.map`: results in input order from a bounded window of tasks submitted ahead
 * of the consumer, the input pulled only as the window frees (it may be endless).
 * @module
 */
import { invalidWaitOptions, refuseUnknownOptions } from '../core/options.js';
import { TimeoutError } from '../errors.js';
import type { Future } from '../futures/future.js';

/** Options of `RedisExecutor.map`. */
export interface RedisMapOptions {
  /** Ms, counted from the call: a result not ready by then makes the iteration throw `TimeoutError`. */
  timeout?: number | undefined;
  /** Aborting stops the map: the outstanding tasks are cancelled, and the iteration throws the reason. */
  signal?: AbortSignal | undefined;
  /** Tasks submitted ahead of the consumer (default 1,000). */
  window?: number | undefined;
}

const DEFAULT_WINDOW = 1_000;

/** Starts a map: submits the first window now (as Python's map submits at the call). */
export function mapInOrder<I, R>(
  submit: (item: I) => Future<R>,
  items: Iterable<I> | AsyncIterable<I>,
  options: RedisMapOptions | undefined,
  where: string,
): AsyncIterableIterator<R> {
  const error = invalidWaitOptions(options, where);
  if (error) throw error;
  if (options !== undefined) refuseUnknownOptions(options, ['timeout', 'signal', 'window'], where);
  const window = options?.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(
      `${where}: window must be an integer greater than 0, got ${String(window)}`,
    );
  }
  const asyncSource = Symbol.asyncIterator in Object(items);
  const syncSource = Symbol.iterator in Object(items);
  if (items === null || (!asyncSource && !syncSource)) {
    throw new TypeError(`${where}: items must be an iterable or an async iterable`);
  }
  const deadline = performance.now() + (options?.timeout ?? Number.POSITIVE_INFINITY);
  const signal = options?.signal;
  const outstanding: Future<R>[] = [];
  const source = asyncSource
    ? (items as AsyncIterable<I>)[Symbol.asyncIterator]()
    : (items as Iterable<I>)[Symbol.iterator]();
  let sourceDone = false;
  let current: Future<R> | undefined;
  const cancelAll = () => {
    current?.cancel();
    for (const future of outstanding) future.cancel();
    outstanding.length = 0;
  };
  // An abort cancels the tasks at once, whether or not the consumer is reading.
  signal?.addEventListener('abort', cancelAll, { once: true });

  const pull = async (): Promise<void> => {
    while (!sourceDone && outstanding.length < window) {
      const next = await source.next();
      if (next.done) sourceDone = true;
      else outstanding.push(submit(next.value));
    }
  };
  // The first window, now (a synchronous input only: an async one is pulled on the first read).
  let first: Promise<void> | undefined;
  if (!asyncSource && !signal?.aborted) {
    first = pull();
    first.catch(() => undefined); // thrown to the first read
  }

  async function* results(): AsyncGenerator<R, void, undefined> {
    try {
      if (first !== undefined) await first;
      for (;;) {
        signal?.throwIfAborted();
        await pull();
        const future = outstanding.shift();
        if (future === undefined) return;
        current = future;
        const left = deadline - performance.now();
        try {
          yield await future.result({ timeout: Math.max(0, left), signal });
        } catch (error) {
          signal?.throwIfAborted(); // the abort cancelled the task: its reason is the error
          if (error instanceof TimeoutError && !future.done()) {
            throw new TimeoutError(
              `${where}: the results were not all ready within ${options?.timeout} ms`,
            );
          }
          throw error;
        }
      }
    } finally {
      signal?.removeEventListener('abort', cancelAll);
      cancelAll();
      if (!sourceDone) {
        sourceDone = true;
        await source.return?.();
      }
    }
  }
  return results();
}
