/**
 * The dryer of the dish pipeline as a portable function, so it can run in a worker thread
 * (`weft demo dishes --mode threads`): the thread imports this module and finds `dryDishes`
 * among its exports. Its queues cross into the thread as handles on the main thread's
 * queues.
 * @module
 */
import { portable } from '../portable/portable.js';
import { type DishQueue, passOn } from './stage.js';

/**
 * One dryer: takes each washed dish from `toDry`, dries it for `ms`, puts it on `toStack`
 * and marks it done on `toDry`, until `toDry` is shut down and drained. The same function
 * runs as a task (given the queues) and in a thread (given handles on them). It counts
 * nothing itself: the dry stage is counted where the queues live (see `WatchedQueue`), so
 * the main thread's progress display is right wherever the dryers run.
 *
 * @example
 * ```ts
 * const dryer = new Thread(dryDishes, { args: [toDry, toStack, 3], name: 'dryer-1' });
 * dryer.start();
 * ```
 */
export const dryDishes = portable(
  import.meta.url,
  function dryDishes(toDry: DishQueue, toStack: DishQueue, ms: number): Promise<void> {
    return passOn(toDry, toStack, ms);
  },
);
