/**
 * The `multiprocessing.Pool` API over an `Executor`: `apply`, `applyAsync`, `map`,
 * `mapAsync`, `imap`, `imapUnordered`, `starmap`, `starmapAsync`, `close`, `terminate`,
 * `join`. `ThreadPool` runs it on worker threads, `Pool` on child processes; both are thin
 * subclasses of `BasePool`.
 * @module
 */
import { availableParallelism } from 'node:os';
import { describe, refuseUnknownOptions, shownName } from '../core/options.js';
import { CancelledError, RuntimeError } from '../errors.js';
import { count, type Executor, type ExecutorOptions, plainArray } from '../executor/executor.js';
import {
  type AnyFunction,
  checkTarget,
  type Portable,
  type PortableTarget,
  type Target,
} from '../portable/portable.js';
import type { SendableArgs } from '../remote/handle-types.js';
import { AsyncResult, checkCallbacks, type ResultCallbacks } from './async-result.js';
import { PoolIterator } from './pool-iterator.js';

/** Options of a pool, as Python's `Pool(processes, initializer, initargs, maxtasksperchild)`. */
export interface PoolOptions {
  /** Runs once in every worker before its first task (a portable function or `{ module, name }`). */
  initializer?: Target | undefined;
  /** Arguments of `initializer` (each worker receives its own copy). */
  initArgs?: readonly unknown[] | undefined;
  /** A worker is replaced by a fresh one after this many tasks (a chunk counts as one; default: never). */
  maxTasksPerChild?: number | undefined;
  /** What the local dashboard calls it (default: a label such as `Pool 1 (4 workers)`). */
  name?: string | undefined;
}

/** Options of `mapAsync` and `starmapAsync`. */
export interface MapAsyncOptions<R> extends ResultCallbacks<R> {
  /** Items per task (default: the input split in about four chunks per worker, as Python). */
  chunksize?: number | undefined;
}

type Result<F extends AnyFunction> = Awaited<ReturnType<F>>;

const OPTION_NAMES = ['initializer', 'initArgs', 'maxTasksPerChild', 'name'] as const;
const RUN = 0;
const CLOSE = 1;
const TERMINATE = 2;

/**
 * The pool API shared by `ThreadPool` and `Pool`. A subclass only says which executor runs
 * the work:
 *
 * ```ts
 * class ThreadPool extends BasePool {
 *   constructor(processes?: number, options?: PoolOptions) {
 *     super('ThreadPool', processes, options, (opts) => new ThreadPoolExecutor(opts));
 *   }
 * }
 * ```
 */
export abstract class BasePool implements AsyncDisposable {
  /** How many workers run tasks at once (Python's `processes`). */
  readonly processes: number;
  private readonly executor: Executor;
  private state = RUN;
  /** `imap`/`imapUnordered` iterations still reading their input. */
  private readonly iterators = new Set<Pick<PoolIterator<unknown>, 'drain' | 'fail'>>();
  /** Settles once the pool has stopped (after `close()` or `terminate()`) and its workers exited. */
  private stopped: Promise<void> | null = null;

  protected constructor(
    private readonly name: string,
    processes: number | undefined,
    options: PoolOptions | undefined,
    createExecutor: (options: ExecutorOptions) => Executor,
  ) {
    this.executor = createExecutor(executorOptions(name, processes, options));
    this.processes = this.executor.maxWorkers;
    this.executor.showAs(name, `${this.processes} workers`);
  }

  /**
   * Runs `fn(...args)` on a worker and resolves with its value (rejects with its error).
   * `fn` must be a portable function or `{ module, name }`.
   */
  apply<F extends AnyFunction>(
    fn: Portable<F>,
    args?: SendableArgs<Parameters<F>>,
  ): Promise<Result<F>>;
  apply<R = unknown>(fn: PortableTarget, args?: readonly unknown[]): Promise<R>;
  async apply(fn: Target, args?: readonly unknown[]): Promise<unknown> {
    return this.submit('apply', fn, args);
  }

  /**
   * Schedules `fn(...args)` and returns its `AsyncResult` at once. `callback(value)` or
   * `errorCallback(error)` runs here once the outcome is in. Throws at the call for an
   * unmarked function, an argument that cannot cross, or a pool that is not running.
   */
  applyAsync<F extends AnyFunction>(
    fn: Portable<F>,
    args?: SendableArgs<Parameters<F>>,
    options?: ResultCallbacks<Result<F>>,
  ): AsyncResult<Result<F>>;
  applyAsync<R = unknown>(
    fn: PortableTarget,
    args?: readonly unknown[],
    options?: ResultCallbacks<R>,
  ): AsyncResult<R>;
  applyAsync(
    fn: Target,
    args?: readonly unknown[],
    options?: ResultCallbacks<unknown>,
  ): AsyncResult<unknown> {
    const where = `${this.name}.applyAsync()`;
    checkCallbacks(options, where);
    return new AsyncResult(this.submit('applyAsync', fn, args), where, options ?? {});
  }

  /**
   * `fn(item)` for every item, on the workers; resolves with the results in input order, or
   * rejects with the first error in input order. The input is read at the call and sent in
   * chunks of `chunksize` items per task (default: about four chunks per worker).
   */
  async map<I, R>(
    fn: Portable<(item: I) => R> | PortableTarget,
    iterable: Iterable<I>,
    chunksize?: number,
  ): Promise<Awaited<R>[]> {
    return this.collect('map', fn, iterable, chunksize, false) as Promise<Awaited<R>[]>;
  }

  /** `map` in the background: returns its `AsyncResult` (of the array of results) at once. */
  mapAsync<I, R>(
    fn: Portable<(item: I) => R> | PortableTarget,
    iterable: Iterable<I>,
    options?: MapAsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    const callbacks = options as MapAsyncOptions<unknown[]> | undefined;
    return this.collectAsync('mapAsync', fn, iterable, callbacks, false) as AsyncResult<
      Awaited<R>[]
    >;
  }

  /**
   * `fn(item)` for every item, yielded in input order as the consumer reads. The input (an
   * iterable or async iterable, endless if you like) is pulled only a bounded window ahead
   * of the results read; `chunksize` (default 1) items travel per task. A task's error ends
   * the iteration; leaving the loop early cancels the tasks that have not started.
   */
  imap<I, R>(
    fn: Portable<(item: I) => R> | PortableTarget,
    iterable: Iterable<I> | AsyncIterable<I>,
    chunksize?: number,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.iterate('imap', fn, iterable, chunksize, true);
  }

  /** `imap` yielding each result (or chunk of results) as soon as it is ready: completion order. */
  imapUnordered<I, R>(
    fn: Portable<(item: I) => R> | PortableTarget,
    iterable: Iterable<I> | AsyncIterable<I>,
    chunksize?: number,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.iterate('imapUnordered', fn, iterable, chunksize, false);
  }

  /**
   * `fn(...args)` for every array of arguments, as `map`. `chunksize` is checked but the
   * calls travel one by one (the executor batches tiny tasks into messages anyway).
   */
  starmap<F extends AnyFunction>(
    fn: Portable<F>,
    iterable: Iterable<SendableArgs<Parameters<F>>>,
    chunksize?: number,
  ): Promise<Result<F>[]>;
  starmap<R = unknown>(
    fn: PortableTarget,
    iterable: Iterable<readonly unknown[]>,
    chunksize?: number,
  ): Promise<R[]>;
  async starmap(
    fn: Target,
    iterable: Iterable<readonly unknown[]>,
    chunksize?: number,
  ): Promise<unknown[]> {
    return this.collect('starmap', fn, iterable, chunksize, true);
  }

  /** `starmap` in the background: returns its `AsyncResult` at once. */
  starmapAsync<F extends AnyFunction>(
    fn: Portable<F>,
    iterable: Iterable<SendableArgs<Parameters<F>>>,
    options?: MapAsyncOptions<Result<F>[]>,
  ): AsyncResult<Result<F>[]>;
  starmapAsync<R = unknown>(
    fn: PortableTarget,
    iterable: Iterable<readonly unknown[]>,
    options?: MapAsyncOptions<R[]>,
  ): AsyncResult<R[]>;
  starmapAsync(
    fn: Target,
    iterable: Iterable<readonly unknown[]>,
    options?: MapAsyncOptions<unknown[]>,
  ): AsyncResult<unknown[]> {
    return this.collectAsync('starmapAsync', fn, iterable, options, true);
  }

  /**
   * Takes no more work; what was submitted still runs (an `imap` whose input was not all
   * read yet is read to its end, its results kept for its consumer), then the workers exit.
   * `join()` waits for that. Safe to call more than once.
   */
  close(): void {
    if (this.state !== RUN) return;
    this.state = CLOSE;
    const iterators = [...this.iterators];
    this.stopped =
      iterators.length === 0
        ? this.executor.shutdown()
        : Promise.all(iterators.map((iterator) => iterator.drain())).then(() =>
            this.executor.shutdown(),
          );
  }

  /**
   * Stops now: the workers are stopped, even mid-task, and every result not in yet rejects
   * with `CancelledError` (an `imap` iteration ends with it after what it had read).
   * Resolves once every worker has exited.
   */
  terminate(): Promise<void> {
    if (this.state !== TERMINATE) {
      this.state = TERMINATE;
      const reason = new CancelledError(
        `${this.name}.terminate() stopped the pool before this work finished`,
      );
      for (const iterator of this.iterators) iterator.fail(reason);
      this.stopped = this.executor.terminate(reason);
    }
    return this.stopped!;
  }

  /**
   * Waits until all work is over and every worker has exited. Only after `close()` or
   * `terminate()`: while the pool runs, rejects with `RuntimeError` (Python: `ValueError`).
   */
  join(): Promise<void> {
    if (this.state === RUN) {
      return Promise.reject(
        new RuntimeError(
          `${this.name}.join(): the pool is still running; call close() or terminate() first`,
        ),
      );
    }
    return this.stopped!;
  }

  /**
   * `await using pool = new ThreadPool()`: at the end of the block the pool is terminated,
   * as Python's `with Pool() as pool:` does — get the results you need inside the block,
   * or call `close()` and `join()` there to let submitted work finish.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  private submit(method: string, fn: Target, args: readonly unknown[] | undefined) {
    const where = `${this.name}.${method}()`;
    this.refuseIfStopped(where);
    if (args !== undefined && !Array.isArray(args)) {
      throw new TypeError(`${where}: args must be an array of arguments, got ${describe(args)}`);
    }
    return this.executor.submitAs(where, fn, args ?? []);
  }

  private collectAsync(
    method: string,
    fn: Target,
    iterable: Iterable<unknown>,
    options: MapAsyncOptions<unknown[]> | undefined,
    star: boolean,
  ): AsyncResult<unknown[]> {
    const where = `${this.name}.${method}()`;
    checkCallbacks(options, where);
    const work = this.collect(method, fn, iterable, options?.chunksize, star);
    return new AsyncResult(work, where, options ?? {});
  }

  /** Reads the whole input at the call and submits all of it; resolves with every result. */
  private collect(
    method: string,
    fn: Target,
    iterable: Iterable<unknown>,
    chunksize: number | undefined,
    star: boolean,
  ): Promise<unknown[]> {
    const where = `${this.name}.${method}()`;
    this.refuseIfStopped(where);
    if (
      iterable == null ||
      typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== 'function'
    ) {
      throw new TypeError(
        `${where}: iterable must be an iterable (an array, a Set, a generator), got ${describe(iterable)}; for an async iterable use imap()`,
      );
    }
    // An array is read whole by the map at this call (its window is unbounded): no copy.
    const items = plainArray(iterable) ?? Array.from(iterable);
    if (star) {
      const bad = items.findIndex((item) => !Array.isArray(item));
      if (bad >= 0) {
        throw new TypeError(
          `${where}: item ${bad} of the input must be an array of arguments, got ${describe(items[bad])}`,
        );
      }
    }
    // Python's default: about four chunks per worker.
    const fallback = Math.max(1, Math.ceil(items.length / (this.processes * 4)));
    const size = count(chunksize, fallback, 'chunksize', where, true);
    const run = this.executor.startMap<unknown>(`${this.name}.${method}`, fn, items, {
      chunksize: star ? 1 : size,
      window: Number.POSITIVE_INFINITY,
      star,
    });
    return run.all();
  }

  private iterate<R>(
    method: string,
    fn: Target,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    chunksize: number | undefined,
    ordered: boolean,
  ): PoolIterator<R> {
    const where = `${this.name}.${method}()`;
    this.refuseIfStopped(where);
    const size = count(chunksize, 1, 'chunksize', where, true);
    const map = this.executor.startMap<R>(`${this.name}.${method}`, fn, iterable, {
      chunksize: size,
      ordered,
    });
    const iterator: PoolIterator<R> = new PoolIterator(map, () => {
      this.iterators.delete(iterator);
    });
    this.iterators.add(iterator);
    return iterator;
  }

  private refuseIfStopped(where: string): void {
    if (this.state === RUN) return;
    const how = this.state === CLOSE ? 'close()' : 'terminate()';
    throw new RuntimeError(
      `${where}: the pool is not running (${how} was called) and takes no new work (Python: ValueError: Pool not running)`,
    );
  }
}

/** Checks a pool's constructor arguments and turns them into its executor's options. */
function executorOptions(
  name: string,
  processes: number | undefined,
  options: PoolOptions | undefined,
): ExecutorOptions {
  const where = `new ${name}(processes, options)`;
  const maxWorkers = count(processes, availableParallelism(), 'processes', where, true);
  if (options === undefined) return { maxWorkers };
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${where}: options must be an object like { initializer, initArgs, maxTasksPerChild }, got ${describe(options)}`,
    );
  }
  refuseUnknownOptions(options, OPTION_NAMES, where);
  const { initializer, initArgs, maxTasksPerChild } = options;
  if (initializer !== undefined) checkTarget(initializer, `${where}: initializer`);
  if (initArgs !== undefined && !Array.isArray(initArgs)) {
    throw new TypeError(`${where}: initArgs must be an array, got ${describe(initArgs)}`);
  }
  const shown = shownName(options.name, where) ?? undefined;
  return {
    maxWorkers,
    initializer,
    initArgs,
    maxTasksPerWorker: count(maxTasksPerChild, Number.POSITIVE_INFINITY, 'maxTasksPerChild', where),
    name: shown,
  };
}
