/**
 * `Executor.map`: an ordered async iterable of results that pulls its input only as it goes
 * (never materialising it), keeping a bounded window of tasks submitted ahead of the consumer.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { encodeValues } from '../codec/codec.js';
import { TimeoutError } from '../errors.js';
import { closeQuietly } from '../task/task-pool-map.js';
import type { ExecutorCore } from './executor-core.js';
import { Job } from './job.js';
import { itemError, mapTimeoutError, shutDownMidMapError } from './map-errors.js';
import { AsCompleted, Failure, InOrder, type Outstanding } from './map-order.js';
import type { TargetEntry } from './targets.js';

/** Options of `Executor.map`. */
export interface MapOptions {
  /** Items sent to a worker per task (default 1); larger chunks cut messaging for tiny tasks. */
  chunksize?: number | undefined;
  /** Milliseconds, counted from the call: a result not ready by then makes the iteration throw `TimeoutError`. */
  timeout?: number | undefined;
  /** Aborting stops the map: queued tasks are dropped, running ones stopped, and the iteration throws the reason. */
  signal?: AbortSignal | undefined;
}

type Source = Iterator<unknown> | AsyncIterator<unknown>;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };
const NO_RESULTS: unknown[] = [];

/** @internal One `map` call. */
export class ExecutorMap<R> implements AsyncIterableIterator<R> {
  private readonly outstanding: Outstanding;
  private current: Job | null = null;
  /** Results received and not handed out yet: a chunk's values, or `single` for one task. */
  private block: unknown[] = NO_RESULTS;
  private blockIndex = 0;
  /** The block of a map without chunks, reused for each result. */
  private readonly single: unknown[] = [undefined];
  private chunkError: Failure | null = null;
  /** The signal aborted while the consumer was between two reads: its next read throws this. */
  private abortedBetweenReads: Failure | null = null;
  private pulled = 0;
  /** The input ended or threw: nothing more to pull, nothing to close. */
  private sourceDone = false;
  /** No more pulling (stopped, or an item could not cross). */
  private stopped = false;
  private stoppedByShutdown = false;
  private finished = false;
  private pumping = false;
  private wakeConsumer: (() => void) | null = null;
  private readonly deadline: number;
  private queue: Promise<unknown> = Promise.resolve();
  private stepping = false;

  constructor(
    private readonly core: ExecutorCore,
    /** Names the call in errors, as `ThreadPoolExecutor.map`. */
    private readonly label: string,
    private readonly target: TargetEntry,
    private readonly source: Source,
    private readonly isAsync: boolean,
    /** The input itself when it is a plain array (`source` iterates it): read by index. */
    private readonly array: readonly unknown[] | null,
    private readonly chunksize: number,
    private readonly window: number,
    private readonly timeout: number,
    private readonly signal: AbortSignal | undefined,
    /** Hand results out in input order; else as the tasks finish. */
    ordered = true,
    /** Each item is an array of arguments: `fn(...item)` (chunksize must be 1). */
    private readonly star = false,
  ) {
    this.outstanding = ordered ? new InOrder() : new AsCompleted(() => this.wakeConsumer?.());
    this.deadline = performance.now() + timeout;
    if (signal?.aborted) {
      this.stopped = true;
      return;
    }
    signal?.addEventListener('abort', this);
    // Submit the first window now, as Python's map submits at the call.
    this.refill();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<R, undefined>> {
    if (!this.stepping) {
      // A result already received is handed out at once (most of a chunked map's results).
      if (this.blockIndex < this.block.length) {
        return Promise.resolve({ done: false, value: this.block[this.blockIndex++] as R });
      }
      this.stepping = true;
      const step = this.step();
      this.queue = step.then(this.stepDone, this.stepDone);
      return step;
    }
    // Overlapping calls take their turn.
    const step = this.queue.then(() => this.step());
    this.queue = step.then(undefined, () => undefined);
    return step;
  }

  private readonly stepDone = () => {
    this.stepping = false;
  };

  async return(): Promise<IteratorResult<R, undefined>> {
    this.stop();
    return DONE;
  }

  /** The abort listener of the map's signal. */
  handleEvent(): void {
    const reason = this.signal!.reason;
    // A read waiting for a task throws the reason through it; else the next read throws it.
    if (this.current !== null) this.core.abortJob(this.current, reason);
    else this.abortedBetweenReads = new Failure(reason);
    for (const entry of this.outstanding.clear()) {
      if (entry instanceof Job) this.core.abortJob(entry, reason);
    }
    this.stop();
  }

  private async step(): Promise<IteratorResult<R, undefined>> {
    for (;;) {
      if (this.blockIndex < this.block.length) {
        return { done: false, value: this.block[this.blockIndex++] as R };
      }
      if (!(await this.fill())) return DONE;
    }
  }

  /**
   * @internal Every result, in input order (`Pool.map`): taken a chunk at a time, without
   * a promise per item. Only for a map nobody iterates.
   */
  async all(): Promise<R[]> {
    // Sized once when the count is known: grown item by item, a large array is copied
    // into fresh memory (which the system must zero) many times over.
    const results: R[] = this.array === null ? [] : new Array(this.array.length);
    let count = 0;
    while (await this.fill()) {
      const block = this.block;
      for (let i = this.blockIndex; i < block.length; i++) results[count++] = block[i] as R;
      this.blockIndex = block.length;
    }
    results.length = count;
    return results;
  }

  /**
   * Waits for the next results in order and makes them the block to hand out; false when
   * the map is over. Throws what ends the map (a task's error, the input's, an abort, a
   * timeout), after the results a failed chunk produced before its error.
   */
  private async fill(): Promise<boolean> {
    for (;;) {
      this.block = NO_RESULTS;
      this.blockIndex = 0;
      const aborted = this.abortedBetweenReads;
      if (aborted !== null) {
        this.abortedBetweenReads = null;
        throw aborted.error;
      }
      if (this.finished) return false;
      if (this.signal?.aborted) {
        this.stop();
        throw this.signal.reason;
      }
      if (this.chunkError !== null) {
        this.stop();
        throw this.chunkError.error;
      }
      const entry = this.outstanding.shift();
      if (entry === undefined) {
        // In completion order, nothing may be due while tasks still run.
        const over = this.sourceDone || this.stopped || this.stoppedByShutdown;
        if (over && this.outstanding.length === 0) {
          const shutDown = this.stoppedByShutdown && !this.finished;
          this.stop();
          if (shutDown) throw this.core.broken ?? shutDownMidMapError(this.label);
          return false;
        }
        await this.waitForInput();
        continue;
      }
      // Topped up once half the window is free: the tasks then go out many to a message.
      if (this.outstanding.length <= this.window >> 1) this.refill();
      if (entry instanceof Failure) {
        this.stop();
        throw entry.error;
      }
      this.current = entry;
      let value: unknown;
      try {
        value = this.timeout === Number.POSITIVE_INFINITY ? await entry : await this.within(entry);
      } catch (error) {
        if (entry.partial !== null) {
          // A chunk failed part-way: its earlier results come first, then its error.
          this.block = entry.partial;
          this.chunkError = new Failure(error);
          return true;
        }
        entry.cancel();
        this.stop();
        throw error;
      } finally {
        this.current = null;
      }
      if (this.chunksize === 1) {
        this.single[0] = value;
        this.block = this.single;
      } else this.block = value as unknown[];
      return true;
    }
  }

  private async within(job: Job): Promise<unknown> {
    try {
      return await job.result({ timeout: Math.max(0, this.deadline - performance.now()) });
    } catch (error) {
      if (error instanceof TimeoutError && !job.done())
        throw mapTimeoutError(this.label, this.timeout);
      throw error;
    }
  }

  /** Waits until the (asynchronous) input produced something, ended or failed, or (in completion order) a task finished. */
  private waitForInput(): Promise<void> {
    const woken = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      this.wakeConsumer = () => {
        clearTimeout(timer);
        this.wakeConsumer = null;
        resolve();
      };
      if (this.timeout !== Number.POSITIVE_INFINITY) {
        timer = setTimeout(
          () => {
            this.wakeConsumer = null;
            reject(mapTimeoutError(this.label, this.timeout));
          },
          Math.max(0, this.deadline - performance.now()),
        );
      }
    });
    // After the waker is set: a task the refill submits may finish at once (no worker could start).
    this.refill();
    return woken;
  }

  /** Tops the window up from the input: at once for an iterable, in the background for an async one. */
  private refill(): void {
    if (this.isAsync) {
      if (!this.pumping) {
        this.pump().catch((error: unknown) => {
          this.outstanding.push(new Failure(error));
          this.stopped = true;
          this.wakeConsumer?.();
        });
      }
      return;
    }
    if (this.array !== null) {
      this.refillFromArray(this.array);
      return;
    }
    const source = this.source as Iterator<unknown>;
    while (this.canPull()) {
      const items: unknown[] = [];
      let failure: Failure | null = null;
      while (items.length < this.chunksize) {
        let next: IteratorResult<unknown>;
        try {
          next = source.next();
        } catch (error) {
          failure = new Failure(error);
          this.sourceDone = true;
          break;
        }
        if (next.done) {
          this.sourceDone = true;
          break;
        }
        items.push(next.value);
      }
      if (items.length > 0) this.submit(items);
      if (failure !== null) this.outstanding.push(failure);
    }
  }

  /**
   * `refill` from an array, read by index up to its length now, as its iterator would. Each
   * chunk is a new array filled in order, never a slice: a slice of an array with holes (as
   * one that was sized first, or received) keeps them, and V8 sends that element by element.
   */
  private refillFromArray(array: readonly unknown[]): void {
    while (this.canPull()) {
      const end = Math.min(array.length, this.pulled + this.chunksize);
      const items: unknown[] = [];
      for (let i = this.pulled; i < end; i++) items.push(array[i]);
      if (items.length < this.chunksize) this.sourceDone = true;
      if (items.length > 0) this.submit(items);
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const source = this.source as AsyncIterator<unknown>;
    const shutDownBefore = this.stoppedByShutdown;
    let pulled = false;
    try {
      while (this.canPull()) {
        pulled = true;
        const items: unknown[] = [];
        let failure: Failure | null = null;
        while (items.length < this.chunksize) {
          let next: IteratorResult<unknown>;
          try {
            next = await source.next();
          } catch (error) {
            failure = new Failure(error);
            this.sourceDone = true;
            break;
          }
          if (next.done) {
            this.sourceDone = true;
            break;
          }
          items.push(next.value);
        }
        if (this.stopped) return;
        if (items.length > 0) this.submit(items);
        if (failure !== null) this.outstanding.push(failure);
        this.wakeConsumer?.();
      }
    } finally {
      this.pumping = false;
      // Only news wakes the consumer: waking it for nothing would spin it (in completion
      // order it waits with the window full or the input done while tasks still run).
      if (pulled || this.stoppedByShutdown !== shutDownBefore) this.wakeConsumer?.();
    }
  }

  private canPull(): boolean {
    if (this.stopped || this.sourceDone || this.outstanding.length >= this.window) return false;
    if (this.core.shutdownCalled || this.core.broken !== null) {
      this.stoppedByShutdown = true;
      return false;
    }
    return true;
  }

  /** Submits one task for `items` (one call, or one chunk). */
  private submit(items: unknown[]): void {
    const first = this.pulled;
    this.pulled += items.length;
    let values: unknown[];
    let transfer: Transferable[];
    try {
      ({ values, transfer } = this.star
        ? encodeValues(items[0] as unknown[], `${this.label}()`, 'argument', this.core.to)
        : encodeValues(items, `${this.label}()`, 'item', this.core.to, true));
    } catch (error) {
      const failure = itemError(this.label, items, first, error, this.core.to);
      this.outstanding.push(new Failure(failure));
      this.stopped = true;
      return;
    }
    const job = new Job(
      this.core,
      this.target,
      values,
      transfer.length > 0 ? transfer : null,
      this.chunksize > 1,
    );
    this.outstanding.push(job);
    this.core.enqueue(job);
  }

  /** Ends the map: drops tasks that have not started and closes the input. */
  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.stopped = true;
    this.signal?.removeEventListener('abort', this);
    for (const entry of this.outstanding.clear()) if (entry instanceof Job) entry.cancel();
    this.wakeConsumer?.();
    if (!this.sourceDone) {
      this.sourceDone = true;
      closeQuietly(this.source);
    }
  }
}
