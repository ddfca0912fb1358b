/**
 * The dish-washing pipeline behind `weft demo dishes` — the classic producer/consumer
 * example: washers take dirty dishes and put them on a bounded queue, dryers take them
 * from there and put them on a second one, stackers finish them. Every stage calls
 * `taskDone()` for each dish it took, so the main program learns that every dish is done
 * by awaiting `join()` on the queues in order, and then shuts the queues down so the
 * workers' `for await` loops end. The dryers run where the mode says (tasks, worker
 * threads, child processes, or child processes on queues in Redis: see dryers.ts), on the
 * queues the mode lays out (dish-lines.ts); the rest of the pipeline is the same in every mode.
 * @module
 */
import { describe } from '../core/options.js';
import { Queue } from '../queue/queue.js';
import { Event } from '../sync/event.js';
import { spawn } from '../task/spawn.js';
import type { Task } from '../task/task.js';
import { bytesForMs } from './checksum.js';
import type { DishLineLayout, DishLineOptions, DishLines } from './dish-lines.js';
import { type DishesMode, DRYER_PLACEMENTS } from './dryers.js';
import { sharedLines, watchedLines } from './local-lines.js';
import { passOn, type StageCounter } from './stage.js';

export type { DishesMode } from './dryers.js';

/** Every mode `runDishes` runs, in the order the help lists them. */
export const DISHES_MODES: readonly DishesMode[] = Object.freeze(
  Object.keys(DRYER_PLACEMENTS) as DishesMode[],
);

/** The kinds of work the dryers can do: `sleep` (waiting, as for I/O) or `cpu` (checksumming). */
export const DISHES_WORK = ['sleep', 'cpu'] as const;
export type DishesWork = (typeof DISHES_WORK)[number];

/** Everything `runDishes` can be told. */
export interface DishesOptions {
  /** How many dishes to wash, dry and stack. */
  dishes: number;
  washers: number;
  dryers: number;
  stackers: number;
  /** Bound of the two queues between the stages. */
  queueSize: number;
  /** Simulated work per dish, in ms (`0` just yields to the event loop). */
  washMs: number;
  dryMs: number;
  stackMs: number;
  mode: DishesMode;
  /**
   * What a dryer does for `dryMs`: `sleep` waits (any number of tasks wait at once on one
   * thread), `cpu` checksums the dish's bytes — as many as take `dryMs` on this machine —
   * which only more threads or processes do faster.
   */
  work: DishesWork;
  /**
   * The Redis of `mode: 'redis'` (a `redis://` URL; default `WEFT_REDIS_URL`, else
   * `redis://127.0.0.1:6379`); the other modes refuse it.
   */
  redis?: string | undefined;
}

/** The defaults: a balanced pipeline, about 1 ms of work per dish and stage overall. */
export const DISHES_DEFAULTS: Readonly<DishesOptions> = Object.freeze({
  dishes: 200,
  washers: 2,
  dryers: 3,
  stackers: 1,
  queueSize: 10,
  washMs: 2,
  dryMs: 3,
  stackMs: 1,
  mode: 'tasks',
  work: 'sleep',
});

/** The numeric options and the smallest value each accepts (all must be integers). */
export const DISHES_MINIMUMS: Readonly<
  Record<Exclude<keyof DishesOptions, 'mode' | 'work' | 'redis'>, number>
> = Object.freeze({
  dishes: 1,
  washers: 1,
  dryers: 1,
  stackers: 1,
  queueSize: 1,
  washMs: 0,
  dryMs: 0,
  stackMs: 0,
});

export type StageName = 'wash' | 'dry' | 'stack';

/** What one stage has done so far; times are ms since the pipeline started. */
export interface StageStats {
  readonly name: StageName;
  readonly workers: number;
  /** Dishes this stage has finished. */
  readonly dishes: number;
  /** When the stage took its first dish (`undefined` before that). */
  readonly firstAt: number | undefined;
  /** When the stage finished its latest dish (`undefined` before that). */
  readonly lastAt: number | undefined;
}

/** What `runDishes` returns once every dish is stacked. */
export interface DishesSummary {
  readonly options: Readonly<DishesOptions>;
  readonly stages: readonly StageStats[];
  /** Wall time of the whole run, in seconds. */
  readonly seconds: number;
}

/** Hooks through which a display follows the run; every one is optional. */
export interface DishesReporter {
  /** Before any work starts; `stages` are live and change as dishes pass. */
  start?(options: Readonly<DishesOptions>, stages: readonly StageStats[]): void;
  /** A stage finished one dish. */
  dish?(stage: StageStats, dish: number): void;
  /** Every dish is stacked and every worker has stopped. */
  finish?(summary: DishesSummary): void;
}

/** A stage's time from its first dish taken to its last dish finished, in seconds (0 before any). */
export function stageSeconds(stage: StageStats): number {
  if (stage.firstAt === undefined || stage.lastAt === undefined) return 0;
  return (stage.lastAt - stage.firstAt) / 1000;
}

/** Dishes per second through a stage, or `undefined` while no time has passed. */
export function stageRate(stage: StageStats): number | undefined {
  const seconds = stageSeconds(stage);
  return seconds > 0 ? stage.dishes / seconds : undefined;
}

/** Fills in defaults and throws `RangeError` for a value that cannot work. */
export function resolveDishesOptions(options: Partial<DishesOptions> = {}): DishesOptions {
  const resolved = { ...DISHES_DEFAULTS, ...options };
  for (const [key, min] of Object.entries(DISHES_MINIMUMS)) {
    const value = resolved[key as keyof typeof DISHES_MINIMUMS];
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`runDishes: ${key} must be an integer >= ${min}, got ${value}`);
    }
  }
  if (!DISHES_MODES.includes(resolved.mode)) {
    const modes = DISHES_MODES.map((mode) => `'${mode}'`).join(' or ');
    throw new RangeError(`runDishes: mode must be ${modes}, got ${describe(resolved.mode)}`);
  }
  if (!DISHES_WORK.includes(resolved.work)) {
    throw new RangeError(
      `runDishes: work must be 'sleep' or 'cpu', got ${describe(resolved.work)}`,
    );
  }
  if (resolved.redis !== undefined) {
    if (typeof resolved.redis !== 'string') {
      throw new TypeError(
        `runDishes: redis must be a redis:// URL, got ${describe(resolved.redis)}`,
      );
    }
    if (resolved.mode !== 'redis') {
      throw new RangeError(
        `runDishes: redis names the Redis of mode 'redis', but the mode is '${resolved.mode}'; drop it or use mode 'redis'`,
      );
    }
  }
  return resolved;
}

/** How a stage records its progress; one per stage, shared by its workers. */
export class StageTally implements StageStats, StageCounter {
  dishes = 0;
  firstAt: number | undefined = undefined;
  lastAt: number | undefined = undefined;

  constructor(
    readonly name: StageName,
    readonly workers: number,
    private readonly startedAt: number,
    private readonly onDish: (stage: StageStats, dish: number) => void = () => {},
  ) {}

  /** A worker of this stage took a dish. */
  took(): void {
    this.firstAt ??= performance.now() - this.startedAt;
  }

  /** A worker of this stage finished `dish`. */
  finished(dish: number): void {
    this.dishes++;
    this.lastAt = performance.now() - this.startedAt;
    this.onDish(this, dish);
  }
}

/**
 * Runs the pipeline on `options` (defaults: `DISHES_DEFAULTS`) and resolves with what
 * each stage did. Each worker runs as its own task — a dryer's task runs the dryer in a
 * worker thread with `mode: 'threads'` (a child process with `'processes'` and `'redis'`)
 * and waits for it. If one fails, the queues are shut down at once, the others stop
 * (threads and processes included: they end when their queues do), and the promise
 * rejects with that first error, once every worker has stopped. With `mode: 'redis'` an
 * unreachable Redis rejects with `RedisUnavailableError` before anything starts, and the
 * run's queues are deleted from Redis when it ends, whichever way.
 *
 * @example
 * ```ts
 * const summary = await runDishes({ dishes: 50, dryers: 2, mode: 'threads' });
 * console.log(summary.stages.map((stage) => `${stage.name}: ${stage.dishes}`));
 * ```
 */
export async function runDishes(
  options: Partial<DishesOptions> = {},
  reporter: DishesReporter = {},
): Promise<DishesSummary> {
  const opts = resolveDishesOptions(options);
  // Measured before the clock starts: the same bytes for every dryer, wherever it runs.
  const work = opts.work === 'cpu' ? { checksum: bytesForMs(opts.dryMs) } : opts.dryMs;
  // Connected before the clock starts too (redis mode): an unreachable Redis fails here.
  const layout = await layDishLines({ ...opts, work });
  const startedAt = performance.now();
  const onDish = (stage: StageStats, dish: number) => reporter.dish?.(stage, dish);
  const wash = new StageTally('wash', opts.washers, startedAt, onDish);
  const dry = new StageTally('dry', opts.dryers, startedAt, onDish);
  const stack = new StageTally('stack', opts.stackers, startedAt, onDish);
  const stages = [wash, dry, stack];

  // The work source: every dish waits here from the start; shut down so washers stop once it is empty.
  const dirty = new Queue<number>();
  for (let dish = 1; dish <= opts.dishes; dish++) dirty.putNowait(dish);
  dirty.shutdown();
  const lines = layout({ wash, dry, stack });
  try {
    await runCrew(opts, dirty, lines, reporter, stages);
  } finally {
    // Once every worker has stopped, whichever way the run went (redis: the queues are deleted).
    await lines.close();
  }

  const summary: DishesSummary = {
    options: opts,
    stages,
    seconds: (performance.now() - startedAt) / 1000,
  };
  reporter.finish?.(summary);
  return summary;
}

/**
 * The layout for `options.mode`. For redis mode it connects first and rejects with a
 * `RedisUnavailableError` (naming the address and what to start) when Redis cannot be reached.
 */
async function layDishLines(options: DishLineOptions): Promise<DishLineLayout> {
  if (options.mode === 'redis') {
    // Loaded only in this mode: the other modes never load ioredis.
    const { redisLines } = await import('./redis-lines.js');
    return redisLines(options);
  }
  return options.mode === 'threads' ? sharedLines(options) : watchedLines(options);
}

/**
 * Starts every worker of the run on `lines` and waits until every dish is done or one
 * worker failed; then shuts the queues down, waits for every worker to stop, and throws
 * the first failure.
 */
async function runCrew(
  opts: DishesOptions,
  dirty: Queue<number>,
  lines: DishLines,
  reporter: DishesReporter,
  stages: readonly StageStats[],
): Promise<void> {
  reporter.start?.(opts, stages);
  const crew = new Crew();
  const placeDryer = DRYER_PLACEMENTS[opts.mode];
  crew.hire(opts.washers, () => passOn(dirty, lines.toDry, opts.washMs, lines.washCounter));
  crew.hire(opts.dryers, (index) => placeDryer(index, lines.dryerJob));
  crew.hire(opts.stackers, () =>
    passOn(lines.stackInput, undefined, opts.stackMs, lines.stackCounter),
  );
  for (const helper of lines.helpers) crew.hire(1, helper);

  // In order: once `dirty` is joined every dish is on `toDry`, and so on down the line.
  // A join that fails (a queue in Redis closed under it) fails the run.
  const everyDishDone = (async () => {
    await dirty.join();
    await lines.join();
  })().catch((error: unknown) => crew.fail(error));
  await Promise.race([everyDishDone, crew.failed.wait()]);
  const failed = crew.failed.isSet();
  dirty.shutdown(failed);
  await lines.shutdown(failed).catch((error: unknown) => crew.fail(error));
  await crew.stopped();
  if (crew.failed.isSet()) throw crew.failure;
}

/** The workers of a run, each a task (a dryer's task may wait for its thread); remembers the first failure. */
class Crew {
  readonly failed = new Event();
  failure: unknown;
  private readonly tasks: Task<void>[] = [];

  /** Starts `count` workers, each running `job` with its index (from 1). */
  hire(count: number, job: (index: number) => Promise<void>): void {
    for (let index = 1; index <= count; index++) {
      this.tasks.push(
        spawn(async () => {
          try {
            await job(index);
          } catch (err) {
            this.fail(err);
          }
        }),
      );
    }
  }

  /** Records `err` as the run's failure, unless one came first. */
  fail(err: unknown): void {
    if (this.failed.isSet()) return;
    this.failure = err;
    this.failed.set();
  }

  async stopped(): Promise<void> {
    await Promise.all(this.tasks);
  }
}
