/**
 * The dryer of the dish pipeline as a portable function, so it can run in a worker thread
 * (`weft demo dishes --mode threads`): the thread imports this module and finds `dryDishes`
 * among its exports. Its shared queues cross into the thread as themselves (the same
 * memory); into a process (`--mode processes`), queues cross as handles.
 * @module
 */
import { portable } from '../portable/portable.js';
import type { SharedQueue } from '../shared/shared-queue.js';
import { reporting } from './dry-reports.js';
import { type DishQueue, type DishWork, passOn } from './stage.js';

/**
 * One dryer: takes each washed dish from `toDry`, dries it (`how`: ms of sleep, or a
 * checksum of its bytes), puts it on `toStack`
 * and marks it done on `toDry`, until `toDry` is shut down and drained. The same function
 * runs as a task (given the queues), in a thread (given the shared queues) and in a process
 * (given handles). Where the queues are the main thread's own (tasks) or handles on them
 * (processes), the dry stage is counted where they live (see `WatchedQueue`); on shared
 * queues nothing passes through the main thread, so the dryer reports on `reports`
 * (see dry-reports.ts).
 *
 * @example
 * ```ts
 * const dryer = new Thread(dryDishes, { args: [toDry, toStack, 3], name: 'dryer-1' });
 * dryer.start();
 * ```
 */
export const dryDishes = portable(
  import.meta.url,
  function dryDishes(
    toDry: DishQueue,
    toStack: DishQueue,
    how: DishWork,
    reports?: SharedQueue<number>,
  ): Promise<void> {
    if (reports === undefined) return passOn(toDry, toStack, how);
    const { counter, output } = reporting(toStack as SharedQueue<number>, reports);
    return passOn(toDry, output, how, counter);
  },
);
