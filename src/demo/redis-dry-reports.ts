/**
 * How the main thread counts the dry stage with `--mode redis`: the dryers are other
 * processes (other machines, as far as they know) and their gets and puts go straight to
 * Redis, so each dryer reports what it does on a third `RedisQueue` — `-dish` for its first
 * dish taken, `dish` for each one finished — and the main thread counts the reports in. A stacker waits until the dry stage has
 * counted its dish (and the dry stage until the wash stage has), so the main thread hears
 * of every dish washed, dried, then stacked, as in the other modes (see finish-order.ts).
 * The counterpart of dry-reports.ts, which does this over shared memory for threads.
 * @module
 */
import type { RedisQueue } from '../redis/redis-queue.js';
import type { FinishOrder } from './finish-order.js';
import type { DishInput, DishOutput, StageCounter } from './stage.js';

/**
 * The dryer's input: the dishes of `toDry`, the first one reported taken before the dryer
 * works on it (the stage's start is its first dish taken: later takes would tell nothing).
 */
export function reportTakes(toDry: RedisQueue<number>, reports: RedisQueue<number>): DishInput {
  return {
    async *[Symbol.asyncIterator]() {
      let first = true;
      for await (const dish of toDry) {
        if (first) await reports.put(-dish);
        first = false;
        yield dish;
      }
    },
    taskDone: () => toDry.taskDone(),
  };
}

/**
 * The dryer's output: each dish reported finished and put on `toStack`, both at once (a
 * stacker waits for the report to be counted before it takes the dish in hand).
 */
export function reportFinishes(
  toStack: RedisQueue<number>,
  reports: RedisQueue<number>,
): DishOutput {
  return {
    async put(dish) {
      await Promise.all([reports.put(dish), toStack.put(dish)]);
    },
  };
}

/**
 * The main thread's end of the reports: counts each into `dried` once `washed` has counted
 * that dish, until `reports` is shut down and drained.
 */
export async function countDryReports(
  reports: RedisQueue<number>,
  washed: FinishOrder,
  dried: StageCounter,
): Promise<void> {
  for await (const report of reports) {
    await washed.reached(Math.abs(report));
    if (report < 0) dried.took();
    else dried.finished(report);
    await reports.taskDone();
  }
}

/** The stackers' input: the dishes of `toStack`, each once the dry stage has counted it. */
export function afterDried(toStack: RedisQueue<number>, dried: FinishOrder): DishInput {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const dish of toStack) {
        await dried.reached(dish);
        yield dish;
      }
    },
    taskDone: () => toStack.taskDone(),
  };
}
