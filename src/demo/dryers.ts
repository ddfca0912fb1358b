/**
 * Where the dryers of the dish pipeline run — the `mode` of `runDishes`. Washers and
 * stackers are always tasks of the main thread; each mode places the dryers somewhere
 * and reports back when one has stopped or failed. A new mode is one more entry here
 * (and its queues one more layout in dish-lines.ts).
 * @module
 */
import { WorkerCrashedError } from '../errors.js';
import { Process } from '../process/process.js';
import type { SharedQueue } from '../shared/shared-queue.js';
import { Thread } from '../thread/thread.js';
import { dryDishes } from './dish-dryer.js';
import type { RedisDishLine } from './redis-dryer.js';
import type { DishQueue, DishWork } from './stage.js';

/** A dryer handed its queues: the queues themselves, handles on them, or shared ones (threads). */
export interface HandedDryerJob {
  readonly kind: 'handed';
  readonly toDry: DishQueue;
  readonly toStack: DishQueue;
  /** Work per dish: ms of sleep, or `{ checksum: bytes }`. */
  readonly work: DishWork;
  /** Where a dryer thread reports what it does (threads mode, see dry-reports.ts). */
  readonly reports?: SharedQueue<number> | undefined;
}

/** A dryer told where its queues are in Redis: it opens clients of its own (redis mode). */
export interface RedisDryerJob {
  readonly kind: 'redis';
  readonly line: RedisDishLine;
  readonly work: DishWork;
}

/** What a dryer is given. */
export type DryerJob = HandedDryerJob | RedisDryerJob;

/** Runs one dryer, the `index`-th (from 1): resolves when it has stopped, rejects with why it failed. */
export type DryerPlacement = (index: number, job: DryerJob) => Promise<void>;

/** Every mode and where it runs its dryers. */
export const DRYER_PLACEMENTS = {
  /** A green task of the main thread, on the queues themselves. */
  tasks: (_index, job) => {
    const { toDry, toStack, work } = handed(job, 'tasks');
    return dryDishes(toDry, toStack, work);
  },
  /** A worker thread per dryer, on shared queues (it reports what it does, see dry-reports.ts). */
  threads: (index, job) =>
    dryElsewhere(
      index,
      'thread',
      (name) => new Thread(dryDishes, { args: argsOf(job, 'threads'), name }),
    ),
  /** A child process per dryer, on handles to the queues (reached over a local socket). */
  processes: (index, job) =>
    dryElsewhere(
      index,
      'process',
      (name) => new Process(dryDishes, { args: argsOf(job, 'processes'), name }),
    ),
  /** A child process per dryer, on RedisQueues it opens by name: the dishes cross through Redis. */
  redis: async (index, job) => {
    if (job.kind !== 'redis') throw misplaced('redis', job);
    // Loaded only in this mode: the other modes never load ioredis.
    const { dryOverRedis } = await import('./redis-dryer.js');
    const args: Parameters<typeof dryOverRedis> = [job.line, job.work];
    return dryElsewhere(index, 'process', (name) => new Process(dryOverRedis, { args, name }));
  },
} as const satisfies Record<string, DryerPlacement>;

/** Where the workers of `runDishes` can run. */
export type DishesMode = keyof typeof DRYER_PLACEMENTS;

/** The job of a mode whose dryers are handed their queues. */
function handed(job: DryerJob, mode: string): HandedDryerJob {
  if (job.kind !== 'handed') throw misplaced(mode, job);
  return job;
}

function misplaced(mode: string, job: DryerJob): TypeError {
  return new TypeError(`dryers: the ${mode} mode cannot run a dryer whose queues are ${job.kind}`);
}

function argsOf(job: DryerJob, mode: string): Parameters<typeof dryDishes> {
  const { toDry, toStack, work, reports } = handed(job, mode);
  return [toDry, toStack, work, reports];
}

/** What `Thread` and `Process` share, as far as a dryer needs. */
interface Runner {
  readonly name: string;
  readonly exception: unknown;
  readonly exitCode: number | null;
  start(): void;
  join(): Promise<boolean>;
}

/**
 * One dryer in its own `Thread` or `Process`, made by `make` with the name `dryer-<index>`.
 * It ends by itself once its input queue is shut down and drained — when every dish is
 * done, or when the run fails and the queues are shut down at once — so this always waits
 * for it, and none outlives the run. One that threw rejects with its exception (class,
 * message, stack and fields as thrown there); one that ended otherwise (terminated,
 * crashed, `process.exit`) rejects with `WorkerCrashedError`.
 */
async function dryElsewhere(
  index: number,
  what: string,
  make: (name: string) => Runner,
): Promise<void> {
  const runner = make(`dryer-${index}`);
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
