/**
 * One worker as the executor core sees it: its link, the tasks handed to it and not yet
 * answered (in the order sent, which is the order it runs them), and its lifecycle.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { Deque } from '../queue/deque.js';
import { OVER, SENT } from './job-phase.js';
import { detachedError, isDetached } from './protocol.js';
import type { TargetDefinition } from './targets.js';
import type { WorkerLink } from './transport.js';

const NO_TRANSFER: Transferable[] = [];

/** Started; its initializer has not reported yet. */
export const STARTING = 0;
/** Takes tasks. */
export const READY = 1;
/** Being stopped by the executor (retired, or terminated to stop the task it runs). */
export const RETIRING = 2;
/** Gone. */
export const GONE = 3;

/** What a slot needs of the jobs it holds (the executor's `Job`). */
export interface SlotJob {
  phase: number;
  slot: unknown;
  readonly values: unknown[];
  readonly transfer: Transferable[] | null;
  readonly target: { readonly key: unknown };
  readonly chunk: boolean;
}

/** A worker of the pool. */
export class WorkerSlot<Job extends SlotJob = SlotJob> {
  state = STARTING;
  link!: WorkerLink;
  /** Tasks handed to the worker and not answered yet; the first is the one it runs. */
  readonly inflight = new Deque<Job>();
  /** Answers received, ever: the sequence number of the first job in `inflight`. */
  answered = 0;
  /** Tasks handed over, ever (for `maxTasksPerWorker`). */
  sent = 0;
  /** Tasks it finished, and tasks that failed in it (threw, timed out, or died with it). */
  done = 0;
  failed = 0;
  /** How many target definitions the worker has received. */
  known = 0;
  /** When the first job in `inflight` started (ms, `performance.now()`). */
  headSince = 0;
  /** Whether the worker keeps the event loop alive now. */
  referenced = true;
  idleTimer: NodeJS.Timeout | undefined = undefined;

  constructor(readonly id: number) {}

  /** Whether the worker has nothing handed to it. */
  get idle(): boolean {
    return this.inflight.length === 0;
  }

  /** Keeps the event loop alive exactly while the worker has work. */
  reference(busy: boolean): void {
    if (busy === this.referenced) return;
    this.referenced = busy;
    if (busy) this.link.ref();
    else this.link.unref();
  }

  /**
   * Posts `jobs` as one batch (see protocol.ts), first defining the targets the worker has
   * not seen yet; then they are in flight here. Returns why it could not be sent, or null.
   */
  post(jobs: readonly Job[], definitions: readonly TargetDefinition[]): unknown {
    const message: unknown[] = [definitions.length - this.known];
    for (let i = this.known; i < definitions.length; i++) {
      const { module, name, source } = definitions[i]!;
      message.push(module, name, source);
    }
    let transfer: Transferable[] | null = null;
    for (const job of jobs) {
      const values = job.values;
      if (job.chunk) message.push(job.target.key, -values.length, values);
      else {
        message.push(job.target.key, values.length);
        for (let i = 0; i < values.length; i++) message.push(values[i]);
      }
      if (job.transfer !== null) {
        if (job.transfer.some(isDetached)) return detachedError();
        (transfer ??= []).push(...job.transfer);
      }
    }
    try {
      this.link.send(message, transfer ?? NO_TRANSFER);
    } catch (error) {
      return error;
    }
    this.known = definitions.length;
    this.sent += jobs.length;
    for (const job of jobs) {
      job.phase = SENT;
      job.slot = this;
      this.inflight.push(job);
    }
    return null;
  }

  /**
   * Takes the worker's jobs back after it died or was stopped. `started` is how many tasks
   * it had started in all (`undefined`: assume it was running the first one it was sent).
   * Returns the job it was running (if any), the jobs it finished without its answer
   * getting through, and the jobs it had not started, in order.
   */
  reclaim(started: number | undefined): { running: Job | null; lost: Job[]; unstarted: Job[] } {
    const begun = started === undefined ? this.answered + 1 : started;
    const lost: Job[] = [];
    const unstarted: Job[] = [];
    let running: Job | null = null;
    let seq = this.answered;
    for (let job = this.inflight.shift(); job !== undefined; job = this.inflight.shift(), seq++) {
      job.slot = null;
      if (job.phase === OVER) continue;
      if (seq < begun - 1) lost.push(job);
      else if (seq === begun - 1) running = job;
      else unstarted.push(job);
    }
    return { running, lost, unstarted };
  }
}
