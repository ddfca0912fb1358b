/**
 * A task of an executor: the `Future` handed to the caller, carrying what the executor needs
 * to run it (one object per task).
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { Future } from '../futures/future.js';
import { OVER, QUEUED } from './job-phase.js';
import type { TargetEntry } from './targets.js';
import type { WorkerSlot } from './worker-slot.js';

export { OVER, QUEUED, SENT } from './job-phase.js';

const NO_VALUES: unknown[] = [];

/** What a job tells its executor about itself. */
export interface JobOwner {
  /** `job.cancel()` succeeded while the job was queued. */
  jobCancelled(job: Job): void;
  /** The job's signal aborted (or the executor's map asks to stop it). */
  abortJob(job: Job, reason: unknown): void;
}

/** @internal One task: the future of its result, and its place in the executor. */
export class Job<T = unknown> extends Future<T> {
  phase = QUEUED;
  /** Next in the executor's queue. */
  next: Job | null = null;
  /** The worker it was handed to. */
  slot: WorkerSlot<Job> | null = null;
  /** Per-task limit on its running time in ms (`Infinity`: none); counts from its start. */
  timeout = Number.POSITIVE_INFINITY;
  signal: AbortSignal | null = null;
  timer: NodeJS.Timeout | undefined = undefined;
  /** Aborted while handed to a worker but not yet started there: stop it when it starts. */
  aborted = false;
  /** The results a chunk produced before the item that failed it. */
  partial: unknown[] | null = null;
  private promise: Promise<T> | null = null;
  private resolvePromise: ((value: T) => void) | null = null;
  private rejectPromise: ((reason: unknown) => void) | null = null;

  constructor(
    readonly owner: JobOwner,
    readonly target: TargetEntry,
    /** The arguments (a call) or the items (a chunk), encoded to cross. */
    public values: unknown[],
    public transfer: Transferable[] | null,
    /** A chunk of map: `fn(item)` for each of `values`, the results in an array. */
    readonly chunk: boolean,
  ) {
    super();
  }

  override cancel(): boolean {
    const queued = this.phase === QUEUED;
    if (!super.cancel()) return false;
    if (queued) {
      this.over();
      this.owner.jobCancelled(this as Job);
    }
    if (this.rejectPromise !== null) super.then(undefined, this.rejectPromise);
    return true;
  }

  override setResult(value: T): void {
    super.setResult(value);
    this.resolvePromise?.(value);
  }

  override setException(error: unknown): void {
    super.setException(error);
    this.rejectPromise?.(error);
  }

  // Awaiting a job goes through one native promise made on demand, not through the
  // generic waiting machinery of `Future.result()`: executors settle many thousands a second.
  // biome-ignore lint/suspicious/noThenProperty: a Future is deliberately awaitable.
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let promise = this.promise;
    if (promise === null) {
      if (this.done()) return super.then(onfulfilled, onrejected);
      promise = this.promise = new Promise<T>((resolve, reject) => {
        this.resolvePromise = resolve;
        this.rejectPromise = reject;
      });
    }
    return promise.then(onfulfilled, onrejected);
  }

  /** The job is over: drops what it no longer needs (a future often outlives its work by far). */
  over(): void {
    this.phase = OVER;
    this.values = NO_VALUES;
    this.transfer = null;
    if (this.signal !== null) this.signal.removeEventListener('abort', this);
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** The abort listener of the job's signal. */
  handleEvent(): void {
    this.owner.abortJob(this as Job, this.signal!.reason);
  }
}
