/**
 * `Executor` — Python's `concurrent.futures.Executor` over a pool of workers: `submit`,
 * `submitWith` (a signal and a per-task timeout), `map`, `shutdown`, `await using`. The
 * kind of worker (threads, processes) is a `Transport`; everything else is shared.
 * @module
 */
// Every kind of primitive an argument may hold must be known before one crosses.
import '../kinds.js';
import { availableParallelism } from 'node:os';
import { encodeValues } from '../codec/codec.js';
import { LOOK, type PoolLook, registerLive } from '../core/live-registry.js';
import {
  describe,
  invalidTimeout,
  invalidWaitOptions,
  refuseUnknownOptions,
  shownName,
} from '../core/options.js';
import { RuntimeError } from '../errors.js';
import type { Future } from '../futures/future.js';
import type { AnyFunction, Portable, PortableTarget, Target } from '../portable/portable.js';
import type { SendableArgs } from '../remote/handle-types.js';
import { iteratorOf } from '../task/task-pool-map.js';
import { BrokenExecutor } from './broken-executor.js';
import { MAX_DEPTH } from './dispatch.js';
import { ExecutorCore } from './executor-core.js';
import { ExecutorMap, type MapOptions } from './executor-map.js';
import { Job, OVER } from './job.js';
import { TargetTable } from './targets.js';
import type { Transport } from './transport.js';

/** Options shared by every executor. */
export interface ExecutorOptions {
  /** Most workers running at once (default: `os.availableParallelism()`). Workers start only as work needs them. */
  maxWorkers?: number | undefined;
  /** Runs once in every worker before its first task (a portable function or `{ module, name }`). */
  initializer?: Target | undefined;
  /** Arguments of `initializer` (copied to every worker; `move()` is refused). */
  initArgs?: readonly unknown[] | undefined;
  /** A worker is replaced by a fresh one after this many tasks (default: never). */
  maxTasksPerWorker?: number | undefined;
  /** An idle worker exits after this many ms without work (default: never; idle workers never keep the process alive). */
  idleTimeout?: number | undefined;
  /** What the local dashboard calls it (default: a label such as `ThreadPoolExecutor 1 (maxWorkers 4)`). */
  name?: string | undefined;
}

/** Options of one task given to `submitWith`. */
export interface SubmitOptions {
  /** Aborting removes the task if it is queued, or stops its worker if it runs; the future rejects with the reason. */
  signal?: AbortSignal | undefined;
  /** Ms the task may run, counted from its start; then its worker is stopped and the future rejects with `TimeoutError`. */
  timeout?: number | undefined;
}

/** Options of `shutdown`. */
export interface ShutdownOptions {
  /** Resolve only once every task has finished and every worker has exited (default `true`). */
  wait?: boolean | undefined;
  /** Cancel the tasks that have not started (default `false`). */
  cancelFutures?: boolean | undefined;
}

/** @internal How `startMap` runs: `Executor.map`'s choices, and `Pool`'s. */
export interface MapPlan {
  /** Items per task (1: one call per item). */
  chunksize: number;
  /** Tasks submitted ahead of the consumer (default: a bounded window; `Infinity`: the whole input at the call). */
  window?: number | undefined;
  /** Ms from the call until a result not ready makes the iteration throw `TimeoutError`. */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Results in input order (default), or as the tasks finish. */
  ordered?: boolean | undefined;
  /** Each item is an array of arguments: `fn(...item)` (`starmap`; `chunksize` must be 1). */
  star?: boolean | undefined;
}

/** Base of the executors: the API; the work is done by the shared core. */
export abstract class Executor implements AsyncDisposable {
  /** Most workers running at once. */
  readonly maxWorkers: number;
  /** @internal */
  protected readonly core: ExecutorCore;
  private readonly targets = new TargetTable();
  private readonly name: string;
  /** What the dashboard shows: the name given, else its type and detail in a label. */
  private readonly shownName: string | null;
  private shownType: string;
  private shownDetail: string;
  /** `extraOptions`: the option names the subclass reads itself (checked with the common ones). */
  protected constructor(
    transport: Transport,
    options: ExecutorOptions | undefined,
    name: string,
    extraOptions: readonly string[] = [],
  ) {
    this.name = name;
    const opts = options ?? {};
    if (opts === null || typeof opts !== 'object') {
      throw new TypeError(`new ${name}(options): options must be an object, got ${describe(opts)}`);
    }
    refuseUnknownOptions(opts, [...EXECUTOR_OPTIONS, ...extraOptions], `new ${name}(options)`);
    this.shownName = shownName(opts.name, `new ${name}()`);
    this.maxWorkers = count(
      opts.maxWorkers,
      availableParallelism(),
      'maxWorkers',
      `new ${name}()`,
      true,
    );
    const maxTasksPerWorker = count(
      opts.maxTasksPerWorker,
      Number.POSITIVE_INFINITY,
      'maxTasksPerWorker',
      `new ${name}()`,
    );
    let idleTimeout = Number.POSITIVE_INFINITY;
    if (opts.idleTimeout !== undefined) {
      const error = invalidTimeout(opts.idleTimeout, `new ${name}(): idleTimeout`);
      if (error) throw error;
      idleTimeout = opts.idleTimeout;
    }
    let initializer = null;
    let initArgs: unknown[] = [];
    if (opts.initializer !== undefined) {
      initializer = this.targets.entry(opts.initializer, `new ${name}(): initializer`);
      const args = opts.initArgs ?? [];
      if (!Array.isArray(args)) {
        throw new TypeError(`new ${name}(): initArgs must be an array, got ${describe(args)}`);
      }
      const encoded = encodeValues(args, `new ${name}(): initArgs`, 'argument', transport.kind);
      if (encoded.transfer.length > 0) {
        throw new TypeError(
          `new ${name}(): initArgs cannot be moved (move()): every worker receives its own copy`,
        );
      }
      initArgs = encoded.values;
    }
    this.core = new ExecutorCore(transport, this.targets, {
      name,
      maxWorkers: this.maxWorkers,
      maxTasksPerWorker,
      idleTimeout,
      initializer,
      initArgs,
    });
    this.shownType = name;
    this.shownDetail = `maxWorkers ${this.maxWorkers}`;
    registerLive(this);
  }

  /**
   * Schedules `fn(...args)` on a worker and returns its `Future`. `fn` must be a portable
   * function or `{ module, name }` (an unmarked function does not compile; passed anyway,
   * it throws a TypeError here, at the call, as does an argument that cannot cross).
   * Throws `RuntimeError` after `shutdown()`.
   */
  submit<F extends AnyFunction>(
    fn: Portable<F>,
    ...args: SendableArgs<Parameters<F>>
  ): Future<Awaited<ReturnType<F>>>;
  submit<R = unknown>(fn: PortableTarget, ...args: unknown[]): Future<R>;
  submit(fn: Target, ...args: unknown[]): Future<unknown> {
    return this.schedule(fn, args, undefined, `${this.name}.submit()`);
  }

  /**
   * `submit` with options for this task: a `signal` (aborting removes the task if it is
   * queued, or stops and replaces its worker if it runs; the future rejects with the
   * signal's reason) and a `timeout` in ms counted from when the task starts (then its
   * worker is stopped and replaced, and the future rejects with `TimeoutError`).
   */
  submitWith<F extends AnyFunction>(
    options: SubmitOptions,
    fn: Portable<F>,
    ...args: SendableArgs<Parameters<F>>
  ): Future<Awaited<ReturnType<F>>>;
  submitWith<R = unknown>(
    options: SubmitOptions,
    fn: PortableTarget,
    ...args: unknown[]
  ): Future<R>;
  submitWith(options: SubmitOptions, fn: Target, ...args: unknown[]): Future<unknown> {
    const error = invalidWaitOptions(options, `${this.name}.submitWith(options, fn, ...args)`);
    if (error) throw error;
    return this.schedule(fn, args, options, `${this.name}.submitWith()`);
  }

  /** @internal `submit` for `Pool`, whose method `where` (as `ThreadPool.applyAsync()`) errors name. */
  submitAs(where: string, fn: Target, args: readonly unknown[]): Future<unknown> {
    return this.schedule(fn, args, undefined, where);
  }

  private schedule(
    fn: Target,
    args: readonly unknown[],
    options: SubmitOptions | undefined,
    where: string,
  ): Job {
    this.refuseIfClosed(where);
    const entry = this.targets.entry(fn, where);
    const { values, transfer } = encodeValues(args, where, 'argument', this.core.to);
    const job = new Job(this.core, entry, values, transfer.length > 0 ? transfer : null, false);
    if (options !== undefined) {
      const { signal, timeout } = options;
      if (timeout !== undefined) job.timeout = timeout;
      if (signal !== undefined) {
        if (signal.aborted) {
          job.phase = OVER;
          job.setException(signal.reason);
          return job;
        }
        job.signal = signal;
        signal.addEventListener('abort', job);
      }
    }
    this.core.enqueue(job);
    return job;
  }

  /**
   * Runs `fn(item)` on the workers for every item and yields the results in input order.
   * The input is pulled as the results are consumed (a bounded window ahead), so it may be
   * endless. `chunksize` sends several items per task; `timeout` (ms, counted from this
   * call) makes the iteration throw `TimeoutError` for a result not ready in time; a
   * `signal` stops it. A task that throws ends the iteration with its error; leaving the
   * loop early (or an error) cancels the tasks that have not started.
   */
  map<I, R>(
    fn: Portable<(item: I) => R> | PortableTarget,
    items: Iterable<I> | AsyncIterable<I>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    const error = invalidWaitOptions(options, `${this.name}.map(fn, items, options)`);
    if (error) throw error;
    const chunksize = count(options?.chunksize, 1, 'chunksize', `${this.name}.map()`, true);
    return this.startMap(`${this.name}.map`, fn, items, {
      chunksize,
      timeout: options?.timeout,
      signal: options?.signal,
    });
  }

  /** @internal The machinery of `map`, shared with `Pool`; `label` names the call in errors. */
  startMap<R>(
    label: string,
    fn: Target,
    items: Iterable<unknown> | AsyncIterable<unknown>,
    plan: MapPlan,
  ): ExecutorMap<R> {
    const where = `${label}()`;
    this.refuseIfClosed(where);
    const entry = this.targets.entry(fn, where);
    const [source, isAsync] = iteratorOf(items, where);
    return new ExecutorMap<R>(
      this.core,
      label,
      entry,
      source,
      isAsync,
      plainArray(items),
      plan.chunksize,
      plan.window ?? Math.max(4, this.maxWorkers * MAX_DEPTH),
      plan.timeout ?? Number.POSITIVE_INFINITY,
      plan.signal,
      plan.ordered,
      plan.star,
    );
  }

  /**
   * @internal Stops now, for `Pool.terminate()`: later work is refused, every task not
   * finished fails with `reason`, every worker is stopped. Resolves once all have exited.
   */
  terminate(reason: unknown): Promise<void> {
    this.core.terminate(reason);
    return this.core.closed();
  }

  /**
   * Stops taking work (later `submit`/`map` throw `RuntimeError`). Tasks already submitted
   * still run unless `cancelFutures` cancels those that have not started. With `wait`
   * (default) resolves once they finished and every worker exited; with `wait: false`
   * resolves at once, the workers exiting in the background. Safe to call more than once.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    const where = `${this.name}.shutdown(options)`;
    const { wait = true, cancelFutures = false } = options ?? {};
    if (typeof wait !== 'boolean' || typeof cancelFutures !== 'boolean') {
      return Promise.reject(new TypeError(`${where}: wait and cancelFutures must be booleans`));
    }
    this.core.shutdown(cancelFutures);
    const closed = this.core.closed();
    return wait ? closed : Promise.resolve();
  }

  /** `await using executor = new ThreadPoolExecutor()`: shuts down and waits at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** Workers running now (starting or ready). */
  get workerCount(): number {
    return this.core.workerCount;
  }

  /** @internal How the dashboard labels it when it has no name: `Pool` shows its executor as itself. */
  showAs(type: string, detail: string): void {
    this.shownType = type;
    this.shownDetail = detail;
  }

  /** The local dashboard's look (core/live-registry.ts). */
  [LOOK](): PoolLook {
    const core = this.core;
    return {
      kind: 'pool',
      type: this.shownType,
      name: this.shownName,
      detail: this.shownDetail,
      ...core.look(),
      submitted: core.submitted,
      done: core.done,
      failed: core.failed,
      shutDown: core.stopMode,
    };
  }

  private refuseIfClosed(where: string): void {
    const broken = this.core.broken;
    if (broken !== null) throw new BrokenExecutor(broken.message, { cause: broken.cause });
    if (this.core.shutdownCalled) {
      throw new RuntimeError(`${where}: cannot schedule new futures after shutdown`);
    }
  }
}

/**
 * @internal `items` when it is an array that iterates as arrays do (then a map reads it by
 * index, a chunk at a time, as its iterator would), else `null`.
 */
export function plainArray(items: unknown): readonly unknown[] | null {
  return Array.isArray(items) && items[Symbol.iterator] === ARRAY_VALUES ? items : null;
}

const ARRAY_VALUES = Array.prototype[Symbol.iterator];

/** @internal Validates a count option: an integer >= 1 (or Infinity where allowed), `fallback` when absent. */
export function count(
  value: unknown,
  fallback: number,
  option: string,
  where: string,
  finite = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${where}: ${option} must be a number, got ${describe(value)}`);
  }
  const ok = Number.isInteger(value) || (!finite && value === Number.POSITIVE_INFINITY);
  if (!ok || value < 1) {
    throw new RangeError(`${where}: ${option} must be an integer greater than 0, got ${value}`);
  }
  return value;
}

/** The options every executor reads. */
const EXECUTOR_OPTIONS = [
  'maxWorkers',
  'initializer',
  'initArgs',
  'maxTasksPerWorker',
  'idleTimeout',
  'name',
] as const;
