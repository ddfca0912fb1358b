/**
 * A queue that tells its owner about every dish taken from it and every dish put on it.
 * The dish pipeline counts its dry stage this way (see `runDishes`).
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { Queue } from '../queue/queue.js';

/** What a `WatchedQueue` reports; each hook runs in the thread that owns the queue. */
export interface QueueWatch<T> {
  /** A get took `item` off the queue. */
  taken?(item: T): void;
  /** A put placed `item` on the queue. */
  arrived?(item: T): void;
}

/**
 * A `Queue` that calls `watch.taken` after each successful `get` and `watch.arrived`
 * after each successful `put`. It is still a `Queue`, so it crosses into a thread as a
 * handle, and a handle's gets and puts run here, on the owner — which is how the main
 * thread counts the dry stage even when the dryers run in worker threads, without the
 * dryers reporting anything: a dish taken from `toDry` is one the stage took, a dish that
 * arrives on `toStack` is one it finished, at the very moment a dryer task would count it.
 * A hook that throws makes that get or put reject (the item stays taken or put), so
 * the worker that called it fails, as it would if it had counted the dish itself.
 *
 * @example
 * ```ts
 * const toStack = new WatchedQueue<number>(10, { arrived: (dish) => dry.finished(dish) });
 * ```
 */
export class WatchedQueue<T> extends Queue<T> {
  constructor(
    maxsize: number,
    private readonly watch: QueueWatch<T>,
  ) {
    super(maxsize);
  }

  override async get(opts?: WaitOptions): Promise<T> {
    const item = await super.get(opts);
    this.watch.taken?.(item);
    return item;
  }

  override async put(item: T, opts?: WaitOptions): Promise<void> {
    await super.put(item, opts);
    this.watch.arrived?.(item);
  }
}
