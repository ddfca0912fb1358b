/**
 * Where the dryers of the dish pipeline run — the `mode` of `runDishes`. Washers and
 * stackers are always tasks of the main thread; each mode places the dryers somewhere
 * and reports back when one has stopped or failed. A new mode is one more entry here.
 * @module
 */
import { WorkerCrashedError } from '../errors.js';
import { Process } from '../process/process.js';
import type { SharedQueue } from '../shared/shared-queue.js';
import { Thread } from '../thread/thread.js';
import { dryDishes } from './dish-dryer.js';
import type { DishQueue, DishWork } from './stage.js';

/** The queues a dryer takes from and puts on, its work per dish, and where it reports (threads mode). */
export interface DryerJob {
  readonly toDry: DishQueue;
  readonly toStack: DishQueue;
  /** Work per dish: ms of sleep, or `{ checksum: bytes }`. */
  readonly work: DishWork;
  readonly reports?: SharedQueue<number> | undefined;
}

/** Runs one dryer, the `index`-th (from 1): resolves when it has stopped, rejects with why it failed. */
export type DryerPlacement = (index: number, job: DryerJob) => Promise<void>;

/** Every mode and where it runs its dryers. */
export const DRYER_PLACEMENTS = {
  /** A green task of the main thread, on the queues themselves. */
  tasks: (_index, { toDry, toStack, work }) => dryDishes(toDry, toStack, work),
  /** A worker thread per dryer, on shared queues (it reports what it does, see dry-reports.ts). */
  threads: (index, job) => dryElsewhere(index, job, Thread, 'thread'),
  /** A child process per dryer, on handles to the queues (reached over a local socket). */
  processes: (index, job) => dryElsewhere(index, job, Process, 'process'),
} as const satisfies Record<string, DryerPlacement>;

/** Where the workers of `runDishes` can run. */
export type DishesMode = keyof typeof DRYER_PLACEMENTS;

/** What `Thread` and `Process` share, as far as a dryer needs. */
interface Runner {
  readonly name: string;
  readonly exception: unknown;
  readonly exitCode: number | null;
  start(): void;
  join(): Promise<boolean>;
}

type RunnerClass = new (
  target: typeof dryDishes,
  options: { args: Parameters<typeof dryDishes>; name: string },
) => Runner;

/**
 * One dryer in its own `Thread` or `Process` (named `dryer-<index>`). It ends by itself
 * once `toDry` is shut down and drained — when every dish is done, or when the run fails
 * and the queues are shut down at once — so this always waits for it, and none outlives
 * the run. One that threw rejects with its exception (class, message, stack and fields as
 * thrown there); one that ended otherwise (terminated, crashed, `process.exit`) rejects
 * with `WorkerCrashedError`.
 */
async function dryElsewhere(
  index: number,
  { toDry, toStack, work, reports }: DryerJob,
  Kind: RunnerClass,
  what: string,
): Promise<void> {
  const args: Parameters<typeof dryDishes> = [toDry, toStack, work, reports];
  const runner = new Kind(dryDishes, { args, name: `dryer-${index}` });
  runner.start();
  await runner.join();
  // Read even when the run has failed already: an exception nobody reads is reported as a warning.
  const exception = runner.exception;
  if (exception !== undefined) throw exception;
  if (runner.exitCode !== 0) {
    throw new WorkerCrashedError(
      `dryer ${what} ${runner.name} ended with exit code ${runner.exitCode} before its work was done`,
    );
  }
}
