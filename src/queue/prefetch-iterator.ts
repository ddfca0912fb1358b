/**
 * `for await` over a queue handle that fetches ahead (queue-prefetch.ts): each `next()` is
 * one of the handle's gets, settled in turn with its other gets, with no generator between
 * the item and the caller.
 * @module
 */
import type { Prefetch } from './queue-prefetch.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * Yields the queue's items as they arrive; ends when the queue is shut down and drained,
 * when a get fails, or at `return()` (a `break`), and the consumer stops fetching ahead then.
 */
export class PrefetchIterator<T> implements AsyncIterator<T, undefined> {
  private done = false;

  /** `fallback`: the handle's own get, once the prefetch has nothing to say (the handle let go). */
  constructor(
    private readonly prefetch: Prefetch<T>,
    private readonly fallback: () => Promise<T>,
  ) {}

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.done) return Promise.resolve(DONE);
    const result =
      this.prefetch.next() ??
      this.fallback().then((value): IteratorResult<T, undefined> => ({ value, done: false }));
    // Watched beside the caller, so the caller's result is the get's own promise.
    result.then(this.watch, this.end);
    return result;
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.end();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly watch = (result: IteratorResult<T, undefined>): void => {
    if (result.done) this.end();
  };

  private readonly end = (): void => {
    if (this.done) return;
    this.done = true;
    this.prefetch.stop();
  };
}
