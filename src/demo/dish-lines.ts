/**
 * The queues between the stages of one dish run, laid out as its mode needs them, and how
 * the main thread counts the dry stage on them: `Queue`s it watches (tasks, processes) or
 * `SharedQueue`s with reports (threads) — local-lines.ts — or `RedisQueue`s with reports
 * (redis-lines.ts). `runDishes` runs the same crew on whichever layout.
 * @module
 */
import type { DishesMode, DryerJob } from './dryers.js';
import type { DishInput, DishOutput, DishWork, StageCounter } from './stage.js';

/** The counters of the three stages (the main thread's tallies). */
export interface DishStages {
  readonly wash: StageCounter;
  readonly dry: StageCounter;
  readonly stack: StageCounter;
}

/** What a layout is made from. */
export interface DishLineOptions {
  readonly mode: DishesMode;
  /** Bound of the two queues. */
  readonly queueSize: number;
  /** The dryers' work per dish. */
  readonly work: DishWork;
  /** The Redis URL of the redis mode (default `WEFT_REDIS_URL`, else `redis://127.0.0.1:6379`). */
  readonly redis?: string | undefined;
}

/** The two queues of one run, and what each stage of the main thread works with. */
export interface DishLines {
  /** Where the washers put what they washed. */
  readonly toDry: DishOutput;
  /** Where the stackers take from. */
  readonly stackInput: DishInput;
  /** The counters the washers and the stackers tell. */
  readonly washCounter: StageCounter;
  readonly stackCounter: StageCounter;
  /** What each dryer is given. */
  readonly dryerJob: DryerJob;
  /** Jobs of the main thread beside the workers (counting the dry stage in), stopped by `shutdown`. */
  readonly helpers: readonly (() => Promise<void>)[];
  /** Resolves once every dish that came to `toDry` is stacked (and counted). */
  join(): Promise<void>;
  /** Shuts the queues down so every worker's loop ends; `immediate` drops what waits. */
  shutdown(immediate: boolean): Promise<void>;
  /** Lets go of what the queues hold outside this process, once every worker has stopped. */
  close(): Promise<void>;
}

/** Makes the lines of a run on its stages' counters (once the run's clock has started). */
export type DishLineLayout = (stages: DishStages) => DishLines;

/** Anything with `join()`: each in turn, so each is joined once the one before is. */
export async function joinInOrder(...queues: { join(): Promise<unknown> }[]): Promise<void> {
  for (const queue of queues) await queue.join();
}
