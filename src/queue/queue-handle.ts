/**
 * A handle on a queue (`Queue`, `LifoQueue`, `PriorityQueue`, `SimpleQueue`) living in
 * another thread.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { Handle } from '../remote/handle.js';
import { PrefetchIterator } from './prefetch-iterator.js';
import { Prefetch } from './queue-prefetch.js';
import { PutCredits } from './queue-put-credits.js';
import { untilShutDown } from './until-shut-down.js';

const NO_ARGS: readonly unknown[] = [];

/**
 * The whole queue interface, every method asynchronous. Items cross by structured clone
 * (`move()` transfers a buffer; a weft primitive crosses as a handle). `maxsize` and
 * `shutDown` show the queue as of the handle's last answer from the owner.
 *
 * @example
 * ```ts
 * // in a worker, given a Queue of the main thread as an argument:
 * export const dry = portable(import.meta.url, async (dishes: QueueHandle<string>) => {
 *   for await (const dish of dishes) {
 *     await wipe(dish);
 *     await dishes.taskDone();
 *   }
 * });
 * ```
 */
export class QueueHandle<T> extends Handle implements AsyncIterable<T> {
  /** The queue's bound (`<= 0`: unbounded), as of the last answer. */
  get maxsize(): number {
    return this.link.state.maxsize ?? 0;
  }

  /** Whether the queue was shut down, as of the last answer. */
  get shutDown(): boolean {
    return this.link.state.shutDown ?? false;
  }

  /**
   * Puts `item`. A producer that loops on `put()` gets credits from the owner (slots it
   * reserved): a put under a credit resolves once the item is encoded, without waiting for
   * the owner's answer, and the owner takes the items in order (see queue-put-credits.ts).
   */
  put(item: T, opts?: WaitOptions): Promise<void> {
    const credits = this.credits;
    if (credits !== undefined) return credits.put(item, opts);
    return this.link.wait('put', [item], opts) as Promise<void>;
  }

  /** Puts `item` if there is room: under a credit, if one is held, at once. */
  putNowait(item: T): Promise<void> {
    const ahead = this.credits?.putNowait(item);
    if (ahead !== undefined) return ahead;
    return this.link.call('putNowait', [item]) as Promise<void>;
  }

  /**
   * The next item. A consumer that loops on `get()` (or `for await`) gets items fetched
   * ahead for it, a few at a time, without a round trip each; an item fetched and not taken
   * goes back to the front of the queue when the consumer stops (see queue-prefetch.ts).
   * The handle's gets of every kind take the items, and settle, in the order they were made.
   */
  get(opts?: WaitOptions): Promise<T> {
    const prefetch = this.prefetch;
    const fetched = prefetch?.get(opts);
    if (fetched !== undefined) return fetched;
    return this.link.wait('get', NO_ARGS, opts) as Promise<T>;
  }

  /**
   * The next item if there is one now; rejects with `QueueEmpty` otherwise. On a handle
   * that fetches ahead it comes after the handle's gets made before it: while one of them
   * still waits, the next item is that get's, and this rejects with `QueueEmpty`.
   */
  getNowait(): Promise<T> {
    const fetched = this.prefetch?.getNowait();
    if (fetched !== undefined) return fetched;
    return this.link.call('getNowait', NO_ARGS) as Promise<T>;
  }

  qsize(): Promise<number> {
    return this.link.call('qsize', NO_ARGS) as Promise<number>;
  }

  empty(): Promise<boolean> {
    return this.link.call('empty', NO_ARGS) as Promise<boolean>;
  }

  full(): Promise<boolean> {
    return this.link.call('full', NO_ARGS) as Promise<boolean>;
  }

  taskDone(): Promise<void> {
    return this.link.call('taskDone', NO_ARGS) as Promise<void>;
  }

  join(opts?: WaitOptions): Promise<boolean> {
    return this.link.wait('join', NO_ARGS, opts) as Promise<boolean>;
  }

  shutdown(immediate = false): Promise<void> {
    return this.link.call('shutdown', [immediate]) as Promise<void>;
  }

  /** Yields items as they arrive; ends when the queue is shut down and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const prefetch = this.prefetch;
    if (prefetch === undefined) return untilShutDown(() => this.get());
    return new PrefetchIterator(
      prefetch,
      () => this.link.wait('get', NO_ARGS, undefined) as Promise<T>,
    );
  }

  /** Items fetched ahead for this handle's consumer, when the queue's order allows it. */
  private get prefetch(): Prefetch<T> | undefined {
    if (this.fetched === undefined) {
      this.fetched = this.link.state.pushesAhead
        ? new Prefetch<T>(this.link, this.link.info.className)
        : null;
    }
    return this.fetched ?? undefined;
  }

  private fetched: Prefetch<T> | null | undefined = undefined;

  /** Credits for this handle's producer, when the queue's puts can fail only by shutdown. */
  private get credits(): PutCredits | undefined {
    if (this.putAhead === undefined) {
      this.putAhead = this.link.state.pushesAhead
        ? new PutCredits(this.link, this.link.info.className)
        : null;
    }
    return this.putAhead ?? undefined;
  }

  private putAhead: PutCredits | null | undefined = undefined;
}
