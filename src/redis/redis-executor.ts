/**
 * `RedisExecutor` — `concurrent.futures` across machines: tasks go into a Redis task queue
 * that `RedisWorker`s (on any machine) run, and their results and errors come back as
 * Futures.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { decodeError } from '../codec/error-codec.js';
import {
  describe,
  invalidWaitOptions,
  refuseUnknownOptions,
  type WaitOptions,
} from '../core/options.js';
import { CancelledError, RuntimeError, TaskLostError } from '../errors.js';
import type { Future } from '../futures/future.js';
import type { AnyFunction, Portable, PortableTarget, Target } from '../portable/portable.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { RedisDeadLetters } from './dead-letters.js';
import { ExecutorKeys } from './executor-keys.js';
import { QueueEpoch } from './queue-epoch.js';
import { mapInOrder, type RedisMapOptions } from './redis-map.js';
import { cancelledBy, RedisTask, type RedisTaskOwner } from './redis-task.js';
import { decodeRedisValues, encodeRedisValues, packRecord, unpackRecord } from './redis-values.js';
import { ResultReader } from './result-reader.js';
import { retryDelays } from './retry-delays.js';
import {
  OUTCOME_CANCELLED,
  OUTCOME_ERROR,
  type TaskOutcome,
  type TaskRecord,
} from './task-record.js';
import { TaskStream } from './task-stream.js';
import { taskTarget } from './task-target.js';

/** Options of `new RedisExecutor()`. */
export interface RedisExecutorOptions extends RedisConnectionOptions {
  /** The task queue's name: workers started with the same name run the tasks. */
  queue: string;
}

/** Options of one task given to `submitWith`. */
export interface RedisSubmitOptions extends WaitOptions {
  /** Aborting cancels the task: removed if it waits, aborted on its worker if it runs; the future rejects with `CancelledError`. */
  signal?: AbortSignal | undefined;
  /** Ms the task may run, counted from its start on a worker; then it fails with `TimeoutError`. */
  timeout?: number | undefined;
  /** Times a failed attempt is run again before the task goes to the dead letters (default 0). */
  retries?: number | undefined;
  /** Ms to wait before each retry (default 0), or a function of the retry's number (1, 2, …) giving them. */
  backoff?: number | ((attempt: number) => number) | undefined;
}

/** Options of `shutdown`. */
export interface RedisShutdownOptions {
  /** Resolve once every outstanding task has its outcome (default `true`). */
  wait?: boolean | undefined;
  /** Cancel the outstanding tasks (default `false`). */
  cancelFutures?: boolean | undefined;
}

const OPTION_KEYS = ['queue', ...CONNECTION_OPTION_KEYS];
const SUBMIT_KEYS = ['signal', 'timeout', 'retries', 'backoff'];

/**
 * Submits portable functions as tasks to the Redis task queue `queue`; the `RedisWorker`s of
 * that queue run them, on this machine or others. A task names its function by module and
 * export (never code) and carries its arguments as data; its outcome — the value, or the
 * error with its class, message, stack and fields — comes back as a `Future`.
 *
 * @example
 * ```ts
 * import { RedisExecutor } from 'weft/redis';
 * import { resize } from './tasks.js'; // export const resize = portable(import.meta.url, …)
 * await using executor = new RedisExecutor({ queue: 'images', redis: 'redis://127.0.0.1:6379' });
 * const thumb = await executor.submit(resize, 'cat.png', 128);
 * const later = executor.submitWith({ retries: 3, backoff: (n) => 100 * 2 ** n }, resize, 'dog.png', 64);
 * ```
 */
export class RedisExecutor implements RedisTaskOwner, AsyncDisposable {
  /** The task queue's name. */
  readonly queue: string;
  readonly #connection: RedisConnection;
  readonly #keys: ExecutorKeys;
  readonly #stream: TaskStream;
  readonly #client = randomBytes(6).toString('base64url');
  readonly #results: string;
  readonly #reader: ResultReader;
  readonly #outstanding = new Map<string, RedisTask>();
  readonly #epoch: QueueEpoch;
  /** After a reconnection, looks whether Redis lost the tasks (it restarted without persistence). */
  readonly #onReady = () => {
    if (!this.#epoch.known || this.#outstanding.size === 0) return;
    this.#epoch.check(this.#connection.client).catch(ignore); // down again: the next 'ready' looks
  };
  #counter = 0;
  #shutdown = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(options: RedisExecutorOptions) {
    const where = 'new RedisExecutor(options)';
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `${where}: options must be an object like { queue, redis }, got ${describe(options)}`,
      );
    }
    refuseUnknownOptions(options, OPTION_KEYS, where);
    this.#keys = new ExecutorKeys(options.queue, where);
    this.queue = options.queue;
    this.#connection = new RedisConnection(options, 'RedisExecutor');
    this.#epoch = new QueueEpoch(this.#keys.epoch, this.#client, () => this.#lost());
    this.#stream = new TaskStream(this.#connection, this.#keys, this.#epoch);
    this.#connection.client.on('ready', this.#onReady);
    this.#results = this.#keys.results(this.#client);
    this.#reader = new ResultReader(
      this.#connection,
      this.#results,
      (items) => this.#onOutcomes(items),
      () => this.#outstanding.size > 0,
      (error) => this.#failAll(error),
    );
  }

  /**
   * Submits `fn(...args)` as a task and returns its `Future`. `fn` must be a portable
   * function (or `{ module, name }`) and the arguments data: either mistake is a TypeError
   * here, at the call. Throws `RuntimeError` after `shutdown()`.
   */
  submit<F extends AnyFunction>(
    fn: Portable<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>>;
  submit<R = unknown>(fn: PortableTarget, ...args: unknown[]): Future<R>;
  submit(fn: Target, ...args: unknown[]): Future<unknown> {
    return this.#schedule(fn, args, undefined, 'RedisExecutor.submit()');
  }

  /**
   * `submit` with options for this task: `signal` (cancels it: a queued task never runs, a
   * running one is aborted on its worker; the future rejects with `CancelledError`),
   * `timeout` (ms from its start on a worker; then it fails with `TimeoutError`), `retries`
   * and `backoff` (a failed attempt runs again after the delay; after its retries the task
   * goes to the dead letters and its future rejects with the last error).
   */
  submitWith<F extends AnyFunction>(
    options: RedisSubmitOptions,
    fn: Portable<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>>;
  submitWith<R = unknown>(
    options: RedisSubmitOptions,
    fn: PortableTarget,
    ...args: unknown[]
  ): Future<R>;
  submitWith(options: RedisSubmitOptions, fn: Target, ...args: unknown[]): Future<unknown> {
    const where = 'RedisExecutor.submitWith(options, fn, ...args)';
    const error = invalidWaitOptions(options, where);
    if (error) throw error;
    refuseUnknownOptions(options, SUBMIT_KEYS, where);
    return this.#schedule(fn, args, options, where);
  }

  /**
   * Runs `fn(item)` as a task for every item and yields the results in input order, keeping
   * a bounded window of tasks submitted ahead of the consumer (the input may be endless).
   * `timeout` (ms from this call) makes the iteration throw `TimeoutError` for a result not
   * ready in time; a `signal` stops it. Leaving the loop early, or an error, cancels the
   * tasks still outstanding.
   */
  map<I, R>(
    fn: Portable<(item: I) => R> | PortableTarget,
    items: Iterable<I> | AsyncIterable<I>,
    options?: RedisMapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    const where = 'RedisExecutor.map(fn, items, options)';
    this.#refuseIfShutDown(where);
    taskTarget(fn, where); // checked at the call
    return mapInOrder(
      (item: I) => this.#schedule(fn, [item], undefined, where) as Future<Awaited<R>>,
      items,
      options,
      where,
    );
  }

  /** The dead letters of this executor's queue (see {@link RedisDeadLetters}), on its connection. */
  deadLetters(): RedisDeadLetters {
    return new RedisDeadLetters(this.queue, { redis: this.#connection.client });
  }

  /**
   * Stops taking tasks (later `submit`/`map` throw `RuntimeError`). With `cancelFutures`,
   * cancels every outstanding task: its future rejects with `CancelledError` at once, a
   * queued task leaves Redis, a running one is aborted on its worker. With `wait` (default),
   * resolves once every outstanding task has its outcome and the connections closed.
   * `shutdown({ wait: false, cancelFutures: true })` is the immediate end: the cancels are
   * written while Redis answers (never waited for when it is away) and the connections
   * close, leaving nothing that keeps the process alive. Safe to call more than once.
   *
   * @example
   * ```ts
   * process.once('SIGINT', () => void executor.shutdown({ wait: false, cancelFutures: true }));
   * ```
   */
  shutdown(options?: RedisShutdownOptions): Promise<void> {
    const where = 'RedisExecutor.shutdown(options)';
    if (options !== undefined) {
      if (options === null || typeof options !== 'object') {
        return Promise.reject(
          new TypeError(`${where}: options must be an object, got ${describe(options)}`),
        );
      }
      refuseUnknownOptions(options, ['wait', 'cancelFutures'], where);
    }
    const { wait = true, cancelFutures = false } = options ?? {};
    if (typeof wait !== 'boolean' || typeof cancelFutures !== 'boolean') {
      return Promise.reject(new TypeError(`${where}: wait and cancelFutures must be booleans`));
    }
    this.#shutdown = true;
    if (cancelFutures) for (const task of [...this.#outstanding.values()]) task.cancel();
    this.#closing ??= this.#close();
    return wait ? this.#closing : Promise.resolve();
  }

  /** `await using executor = new RedisExecutor(…)`: shuts down and waits at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** Tasks submitted whose outcome has not come yet. */
  get outstanding(): number {
    return this.#outstanding.size;
  }

  /** @internal Cancels `task` in Redis (its future is settled already). */
  cancelTask(task: RedisTask): void {
    this.#forget(task.id);
    // A cancel right after the submit waits for the entry's id (the submit travels first).
    if (task.entry === '') task.cancelWhenWritten = true;
    else this.#stream.cancel(task.entry, task.id);
  }

  #schedule(
    fn: Target,
    args: readonly unknown[],
    options: RedisSubmitOptions | undefined,
    where: string,
  ): RedisTask {
    this.#refuseIfShutDown(where);
    const record: TaskRecord = {
      i: `${this.#client}:${(this.#counter++).toString(36)}`,
      t: taskTarget(fn, where),
      a: encodeRedisValues(args, where),
      r: this.#client,
      n: 0,
    };
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const { timeout, retries, backoff } = options;
      signal = options.signal;
      if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) record.o = timeout;
      const delays = retryDelays(retries, backoff, where);
      if (delays.length > 0) record.d = delays;
    }
    const task = new RedisTask(this, record.i);
    if (signal?.aborted) {
      task.settle(true, cancelledBy(signal));
      return task;
    }
    if (signal !== undefined) {
      task.signal = signal;
      signal.addEventListener('abort', task);
    }
    this.#outstanding.set(record.i, task);
    this.#stream.add(packRecord(record), task);
    this.#reader.wake();
    return task;
  }

  /** @internal The submit of `task` was answered. */
  taskWritten(task: RedisTask, error: unknown, entry: string | undefined): void {
    if (entry === undefined) {
      this.#forget(task.id);
      task.settle(true, error);
      return;
    }
    task.entry = entry;
    if (task.cancelWhenWritten) this.#stream.cancel(entry, task.id);
  }

  #onOutcomes(items: Buffer[]): void {
    for (const item of items) {
      let outcome: TaskOutcome;
      try {
        outcome = unpackRecord(item) as TaskOutcome;
      } catch {
        continue; // not an outcome weft wrote: nothing to settle
      }
      const [id, kind, value] = outcome;
      const task = this.#outstanding.get(id);
      if (task === undefined) continue; // cancelled, or a late duplicate
      this.#forget(id);
      if (kind === OUTCOME_ERROR) task.settle(true, decodeError(value));
      else if (value === null || typeof value !== 'object') task.settle(false, value);
      else if (kind === OUTCOME_CANCELLED) {
        task.settle(
          true,
          new CancelledError(`the task was cancelled on its worker: ${String(value)}`),
        );
      } else {
        decodeRedisValues([value]).then(
          ([decoded]) => task.settle(false, decoded),
          (error: unknown) => task.settle(true, error),
        );
      }
    }
  }

  #forget(id: string): void {
    if (!this.#outstanding.delete(id)) return;
    if (this.#outstanding.size === 0) this.#drained?.();
  }

  /**
   * Redis lost the queue's data: every task whose submit it had answered is gone (waiting,
   * running, waiting for a retry, or its outcome unread). Those still unanswered were sent
   * again to the server that came back, and stay.
   */
  #lost(): void {
    for (const task of [...this.#outstanding.values()]) {
      if (task.entry === '') continue;
      this.#forget(task.id);
      task.settle(
        true,
        new TaskLostError(
          `RedisExecutor (queue "${this.queue}"): task ${task.id} was lost: Redis restarted without ` +
            "persistence (or the queue's keys were deleted) and nothing will run it or report its " +
            'outcome. Submit it again if it must run; `appendonly yes` in redis.conf keeps tasks ' +
            'across Redis restarts.',
        ),
      );
    }
  }

  #failAll(error: unknown): void {
    for (const task of [...this.#outstanding.values()]) {
      this.#forget(task.id);
      task.settle(true, error);
    }
  }

  async #close(): Promise<void> {
    if (this.#outstanding.size > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    this.#reader.close();
    this.#connection.client.off('ready', this.#onReady);
    // The cancels (and the submits they wait for) go out, and the results list goes, while
    // Redis answers: with Redis away they are given up, so that the end never waits for it.
    await this.#connection.whileConnected(async () => {
      await this.#stream.settled();
      await this.#connection.client.del(this.#results);
    });
    await this.#connection.close();
  }

  #refuseIfShutDown(where: string): void {
    if (this.#shutdown) {
      throw new RuntimeError(`${where}: cannot submit new tasks after shutdown()`);
    }
  }
}

function ignore(): void {}
