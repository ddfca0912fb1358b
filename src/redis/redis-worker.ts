/**
 * `RedisWorker` — runs the tasks of a Redis task queue: takes them as leases (a worker that
 * dies leaves its tasks to another once their lease runs out), runs them — as green tasks,
 * or in a local thread or process pool — and writes each outcome in the same atomic step
 * that acknowledges the lease: the result, a retry, or a dead letter.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { invalidTimeout, refuseUnknownOptions } from '../core/options.js';
import { CancelledError, RuntimeError } from '../errors.js';
import { RedisConnection } from './connection.js';
import type { ExecutorKeys } from './executor-keys.js';
import { PROMOTE } from './executor-scripts.js';
import type { ModuleAllowList } from './module-allow-list.js';
import { encodeRedisValues, unpackRecord } from './redis-values.js';
import { type TaskFunction, TaskModules } from './task-modules.js';
import { type HeldTask, TaskOutcomes, taskName } from './task-outcomes.js';
import { isTaskRecord } from './task-record.js';
import { type TaskRunner, taskRunner, type WorkerMode } from './task-runner.js';
import { type TaskDelivery, TaskLeases } from './task-stream.js';
import { WorkerHeartbeat } from './worker-heartbeat.js';
import {
  type RedisWorkerOptions,
  type WorkerCloseOptions,
  workerSettings,
} from './worker-options.js';

export type { RedisWorkerOptions, WorkerCloseOptions } from './worker-options.js';

/** Ms a read waits for tasks before it looks at the retries again. */
const MAX_BLOCK_MS = 200;
/** How long an abort heard before its task arrived is remembered (ms). */
const ABORT_MEMORY_MS = 60_000;
/** How long a results list outlives the last outcome written to it (ms). */
const RESULTS_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Runs the tasks of the task queue `queue` that `RedisExecutor`s submit, `concurrency` at a
 * time, from the allow-listed `modules` only: a task naming any other module fails with an
 * error naming it and the list, without loading anything.
 *
 * @example
 * ```ts
 * import { RedisWorker } from 'weft/redis';
 * const worker = new RedisWorker({ queue: 'images', modules: ['./dist/tasks.js'], concurrency: 8 });
 * await worker.start();
 * process.once('SIGTERM', () => worker.close({ timeout: 10_000 }));
 * ```
 */
export class RedisWorker implements AsyncDisposable {
  /** This worker's id (its consumer name and heartbeat key). */
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly queue: string;
  readonly concurrency: number;
  readonly mode: WorkerMode;
  readonly #connection: RedisConnection;
  readonly #keys: ExecutorKeys;
  readonly #allowList: ModuleAllowList;
  readonly #modules: TaskModules;
  readonly #visibilityTimeout: number;
  readonly #heartbeatInterval: number;
  readonly #held = new Map<string, HeldTask>();
  readonly #heardAborts = new Map<string, number>();
  readonly #stopReading = new AbortController();
  #outcomes: TaskOutcomes | undefined;
  #leases: TaskLeases | undefined;
  #runner: TaskRunner | undefined;
  #heartbeat: WorkerHeartbeat | undefined;
  #subscriber: Redis | undefined;
  #reading: Promise<void> | undefined;
  #room: (() => void) | undefined;
  #nextPromote = 0;
  #state: 'new' | 'running' | 'closing' | 'closed' = 'new';
  #closing: Promise<void> | undefined;

  constructor(options: RedisWorkerOptions) {
    const settings = workerSettings(options, 'new RedisWorker(options)');
    this.queue = settings.queue;
    this.#keys = settings.keys;
    this.#allowList = settings.allowList;
    this.#modules = new TaskModules(this.#allowList);
    this.concurrency = settings.concurrency;
    this.mode = settings.mode;
    this.#visibilityTimeout = settings.visibilityTimeout;
    this.#heartbeatInterval = settings.heartbeatInterval;
    this.#connection = new RedisConnection(options, 'RedisWorker');
  }

  /** The allowed modules, as real file URLs. */
  get modules(): readonly string[] {
    return this.#allowList.modules;
  }

  /**
   * Connects, starts the heartbeat and begins taking tasks. Resolves once the worker is
   * taking them; rejects with `RedisUnavailableError` when Redis cannot be reached.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') {
      throw new RuntimeError(
        `RedisWorker.start(): the worker was started already (it is ${this.#state})`,
      );
    }
    this.#state = 'running';
    try {
      await this.#connection.ready();
      this.#runner = await taskRunner(this.mode, this.concurrency);
      this.#subscriber = await this.#connection.blocking();
      this.#subscriber.on('message', (_channel: string, id: string) => this.#heardAbort(id));
      await this.#subscriber.subscribe(this.#keys.abort);
      this.#leases = new TaskLeases(
        this.#connection,
        this.#keys,
        this.#visibilityTimeout,
        RESULTS_TTL_MS,
      );
      this.#outcomes = new TaskOutcomes(this.#leases, this.#keys, this.id, (due) => {
        this.#nextPromote = Math.min(this.#nextPromote, due);
      });
      this.#heartbeat = new WorkerHeartbeat(
        this.#connection.client,
        this.#keys,
        this.id,
        { mode: this.mode, concurrency: this.concurrency },
        this.#heartbeatInterval,
        () => this.#status(),
      );
      await this.#heartbeat.start();
    } catch (error) {
      await this.#shutDown();
      throw error;
    }
    this.#reading = this.#readLoop();
  }

  /**
   * Stops taking tasks and lets those running finish within `timeout` ms (default 30,000);
   * the ones still running then are aborted and given back to the queue (another worker
   * takes them at once). Then the heartbeat stops and the connections close. Safe to call
   * more than once.
   */
  close(options?: WorkerCloseOptions): Promise<void> {
    const where = 'RedisWorker.close(options)';
    if (options !== undefined) {
      if (options === null || typeof options !== 'object') {
        return Promise.reject(
          new TypeError(`${where}: options must be an object like { timeout }`),
        );
      }
      refuseUnknownOptions(options, ['timeout'], where);
      const error = invalidTimeout(options.timeout, where);
      if (error) return Promise.reject(error);
    }
    this.#closing ??= this.#close(options?.timeout ?? 30_000);
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Tasks running now. */
  get running(): number {
    return this.#held.size;
  }

  async #readLoop(): Promise<void> {
    const leases = this.#leases!;
    const signal = this.#stopReading.signal;
    while (!signal.aborted) {
      if (this.#held.size >= this.concurrency) {
        await new Promise<void>((resolve) => {
          this.#room = resolve;
        });
        continue;
      }
      let block = MAX_BLOCK_MS;
      try {
        block = Math.min(block, await this.#promoteRetries());
        const deliveries = await leases.read({
          count: this.concurrency - this.#held.size,
          block,
          signal,
        });
        for (const delivery of deliveries) this.#begin(delivery);
      } catch {
        if (signal.aborted) break;
        // Redis away for a moment (the connection waits for it): try again shortly.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Moves retries that are due into the queue (at most every so often); ms until the next is due. */
  async #promoteRetries(): Promise<number> {
    const now = Date.now();
    if (now < this.#nextPromote) return this.#nextPromote - now;
    const k = this.#keys;
    const [, nextDue] = (await PROMOTE.run(
      this.#connection.client,
      [...k.lease, k.delayed, k.retrying],
      [100],
    )) as [number, number];
    const wait = nextDue < 0 ? MAX_BLOCK_MS : Math.min(MAX_BLOCK_MS, nextDue);
    this.#nextPromote = Date.now() + wait;
    return Math.max(1, wait);
  }

  #begin(delivery: TaskDelivery): void {
    let record: unknown;
    try {
      record = unpackRecord(delivery.payload);
    } catch {
      record = undefined;
    }
    if (!isTaskRecord(record)) {
      // Not a task weft wrote: drop it, so it does not come back forever.
      this.#outcomes!.drop(delivery);
      return;
    }
    const held: HeldTask = {
      record,
      delivery,
      found: undefined,
      stop: undefined,
      stopped: undefined,
      since: Date.now(),
      cancelled: false,
    };
    this.#held.set(record.i, held);
    this.#run(held);
  }

  /**
   * Runs a task. The common case — its function found before, plain arguments, a first
   * delivery — starts in this turn; the rest (a module to load, classes to load, a cancel
   * to look up) is awaited first.
   */
  #run(held: HeldTask): void {
    const { record } = held;
    if (this.#heardAborts.has(record.i)) {
      this.#cancelledBeforeStart(held);
      return;
    }
    const found =
      record.n === 0 && held.delivery.deliveries <= 1 ? this.#modules.known(record.t) : undefined;
    const args = found === undefined ? undefined : this.#modules.plainArgs(record.a);
    if (found !== undefined && args !== undefined) this.#invoke(held, found, args);
    else this.#prepareThenRun(held).catch((error: unknown) => this.#failed(held, error));
  }

  async #prepareThenRun(held: HeldTask): Promise<void> {
    const { record } = held;
    if (await this.#cancelledBefore(held)) {
      this.#cancelledBeforeStart(held);
      return;
    }
    const found = await this.#modules.find(record.t, record.a);
    const args = await this.#modules.decodeArgs(record.a);
    this.#invoke(held, found, args);
  }

  #invoke(held: HeldTask, found: TaskFunction, args: unknown[]): void {
    held.found = found;
    const [module, name, fn] = found;
    if (held.stopped !== undefined) {
      this.#failed(held, held.stopped.reason);
      return;
    }
    this.#runner!.run(
      { fn, module, name, args, timeout: held.record.o ?? Number.POSITIVE_INFINITY },
      held,
    ).then(
      (result) => {
        let value: unknown = result;
        // A primitive (most results) crosses as it is; the rest is checked and encoded.
        if (
          typeof result === 'object' ||
          typeof result === 'function' ||
          typeof result === 'symbol'
        ) {
          try {
            [value] = encodeRedisValues([result], `the task ${name} of ${module}`, 'result');
          } catch (error) {
            this.#failed(held, error);
            return;
          }
        }
        this.#release(held);
        this.#outcomes!.value(held, value);
      },
      (error: unknown) => this.#failed(held, error),
    );
  }

  #cancelledBeforeStart(held: HeldTask): void {
    held.cancelled = true;
    this.#release(held);
    this.#outcomes!.cancelled(held, 'the task was cancelled before it started');
  }

  #failed(held: HeldTask, error: unknown): void {
    if (held.cancelled) {
      this.#release(held);
      this.#outcomes!.cancelled(held, 'the task was aborted on its worker');
    } else if (this.#stopReading.signal.aborted && held.stopped !== undefined) {
      // The worker closed before the task finished: it was given back already.
    } else {
      this.#release(held);
      this.#outcomes!.failed(held, error);
    }
  }

  /** A task that came back (a retry, or taken over from a worker that died) may have been cancelled since. */
  async #cancelledBefore(held: HeldTask): Promise<boolean> {
    if (held.record.n === 0 && held.delivery.deliveries <= 1) return false;
    const score = await this.#connection.client.zscore(this.#keys.cancelled, held.record.i);
    return score !== null;
  }

  #release(held: HeldTask): void {
    this.#held.delete(held.record.i);
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }

  #heardAbort(id: string): void {
    const now = Date.now();
    this.#heardAborts.set(id, now);
    for (const [known, at] of this.#heardAborts) {
      if (now - at < ABORT_MEMORY_MS) break;
      this.#heardAborts.delete(known);
    }
    const held = this.#held.get(id);
    if (held === undefined || held.cancelled) return;
    held.cancelled = true;
    this.#stopTask(held, new CancelledError('the task was cancelled by its executor'));
  }

  #stopTask(held: HeldTask, reason: unknown): void {
    held.stopped ??= { reason };
    held.stop?.(reason);
  }

  #status() {
    return {
      state: this.#state === 'running' ? ('running' as const) : ('closing' as const),
      current: [...this.#held.values()].map((held) => ({
        id: held.record.i,
        task: taskName(held),
        since: held.since,
      })),
      done: this.#outcomes?.doneCount ?? 0,
      failed: this.#outcomes?.failedCount ?? 0,
    };
  }

  async #close(timeout: number): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'closed';
      await this.#connection.close();
      return;
    }
    this.#state = 'closing';
    this.#stopReading.abort();
    this.#room?.();
    await this.#reading;
    await this.#heartbeat?.beat().catch(() => undefined);
    if (this.#held.size > 0) {
      const drained = new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (this.#held.size === 0) {
            clearInterval(check);
            resolve();
          }
        }, 10);
        setTimeout(() => {
          clearInterval(check);
          resolve();
        }, timeout).unref();
      });
      await drained;
    }
    // What still runs goes back to the queue, first in line for the next worker.
    const left = [...this.#held.values()];
    for (const held of left) {
      this.#held.delete(held.record.i);
      this.#stopTask(held, new CancelledError('the worker closed before the task finished'));
    }
    if (left.length > 0)
      await this.#leases!.giveBack(left.map((held) => held.delivery)).catch(() => undefined);
    await this.#shutDown();
  }

  async #shutDown(): Promise<void> {
    await this.#outcomes?.settled();
    await this.#heartbeat?.stop().catch(() => undefined);
    await this.#leases?.close().catch(() => undefined);
    await this.#runner?.close().catch(() => undefined);
    this.#state = 'closed';
    await this.#connection.close();
  }
}
