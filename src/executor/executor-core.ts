/**
 * The executor core, shared by every kind of worker: the queue of tasks, the pool of
 * workers behind a `Transport`, pipelined dispatch (how much each worker is handed: see
 * dispatch.ts), answers, crashes (what a dead worker's tasks come to: worker-deaths.ts),
 * task timeouts and aborts, and the shutdown state machine.
 * @module
 */

import { decodeError } from '../codec/error-codec.js';
import type { StopMode } from '../core/live-registry.js';
import { refuseWhileImporting } from '../portable/bootstrap-guard.js';
import {
  BrokenExecutor,
  describeCause,
  MAX_START_DEATHS,
  workerCrashed,
} from './broken-executor.js';
import { handOver, PrefetchDepth, shares, spareWorkers } from './dispatch.js';
import { lookAtWorkers } from './executor-look.js';
import { type Job, type JobOwner, OVER, QUEUED, SENT } from './job.js';
import { settleFromReply } from './job-outcome.js';
import { JobQueue } from './job-queue.js';
import { FAILED, INIT_FAILED, type InitMessage, OK, READY } from './protocol.js';
import type { TargetEntry, TargetTable } from './targets.js';
import type { Transport } from './transport.js';
import { failCrashed, failHeld, failJob, overtimeError, startDeathsWhy } from './worker-deaths.js';
import { GONE, RETIRING, READY as SLOT_READY, STARTING, WorkerSlot } from './worker-slot.js';

/** What the core needs to know from the executor's options. */
export interface CoreSettings {
  readonly name: string;
  readonly maxWorkers: number;
  readonly maxTasksPerWorker: number;
  readonly idleTimeout: number;
  readonly initializer: TargetEntry | null;
  readonly initArgs: unknown[];
}

/** @internal The engine of an executor. */
export class ExecutorCore implements JobOwner {
  private readonly queue = new JobQueue();
  /** Workers starting or ready (not being stopped). */
  private readonly slots: WorkerSlot<Job>[] = [];
  /** Workers being stopped whose exit has not come yet. */
  private stopping = 0;
  private nextSlotId = 0;
  /** Tasks a worker may hold now. */
  private readonly depth = new PrefetchDepth();
  private flushScheduled = false;
  private readonly flushBound = () => this.flush();
  shutdownCalled = false;
  /** How it was shut down, for the dashboard. */
  stopMode: StopMode | null = null;
  broken: BrokenExecutor | null = null;
  /** Tasks ever submitted, finished, and failed (threw, timed out, or died with their worker). */
  submitted = 0;
  done = 0;
  failed = 0;
  /** Workers that died while starting, since a worker last became ready. */
  private startDeaths = 0;
  private closedResolve: (() => void) | null = null;
  private closedPromise: Promise<void> | null = null;

  /** Where values sent to the workers go. */
  get to(): Transport['kind'] {
    return this.transport.kind;
  }

  constructor(
    private readonly transport: Transport,
    readonly targets: TargetTable,
    private readonly settings: CoreSettings,
  ) {}

  /** Workers alive now (starting or ready). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Resolves once shut down, drained, and every worker has exited. */
  closed(): Promise<void> {
    if (this.closedPromise === null) {
      this.closedPromise = new Promise((resolve) => {
        this.closedResolve = resolve;
      });
      this.settleIfDrained();
    }
    return this.closedPromise;
  }

  /** Queues a job (at the back) and starts a worker if none is free for it. */
  enqueue(job: Job): void {
    this.submitted++;
    this.queue.push(job);
    this.grow();
    this.scheduleFlush();
  }

  /** Dispatches queued work on a later microtask, so that a burst of submits travels in batches. */
  scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushBound);
    }
  }

  /** Stops taking work: cancels what is queued if asked, and retires workers once drained. */
  shutdown(cancelFutures: boolean): void {
    this.shutdownCalled = true;
    this.stopMode = cancelFutures ? 'immediate' : (this.stopMode ?? 'graceful');
    if (cancelFutures) this.queue.cancelAll();
    this.settleIfDrained();
  }

  /** Stops now (`Pool.terminate()`): refuses later work, fails every unfinished task with `reason`, stops every worker. */
  terminate(reason: unknown): void {
    this.shutdownCalled = true;
    this.stopMode = 'immediate';
    this.failEverything(reason);
  }

  jobCancelled(): void {
    this.queue.forget();
    this.settleIfDrained();
  }

  abortJob(job: Job, reason: unknown): void {
    if (job.phase === QUEUED) {
      this.queue.forget();
      job.over();
      job.setException(reason);
      this.settleIfDrained();
    } else if (job.phase === SENT) {
      const slot = job.slot!;
      if (slot.inflight.peek() === job) this.stopRunning(slot, job, reason);
      else {
        // Still waiting inside the worker: fail it now, stop it if it starts before its answer.
        job.aborted = true;
        job.over();
        job.setException(reason);
      }
    }
  }

  /** @internal The waiting and running tasks and the workers, for the dashboard. */
  look(): ReturnType<typeof lookAtWorkers> {
    return lookAtWorkers(this.slots, this.queue.count, this.transport.kind);
  }

  private countFailed(slot: WorkerSlot<Job>, count: number): void {
    slot.failed += count;
    this.failed += count;
  }

  /** Starts a worker; false when it cannot be started now. */
  private spawn(): boolean {
    const slot = new WorkerSlot<Job>(this.nextSlotId++);
    try {
      refuseWhileImporting(`starting a worker of ${this.settings.name}`);
      slot.link = this.transport.spawn({
        onMessage: (message) => this.onReply(slot, message as unknown[]),
        onMessageError: (error) => this.onReply(slot, [FAILED, error]),
        onServiceTime: (ms, tasks) => this.depth.record(ms / tasks),
        onExit: (exitCode, cause) => this.onExit(slot, exitCode, cause),
      });
    } catch (error) {
      if (this.slots.length === 0) this.queue.failAll(error);
      return false;
    }
    this.slots.push(slot);
    this.sendInit(slot);
    return true;
  }

  private sendInit(slot: WorkerSlot<Job>): void {
    const { initializer, initArgs } = this.settings;
    const init: InitMessage = {
      init: true,
      initializer: initializer?.definition ?? null,
      initArgs,
    };
    slot.link.send(init, []);
  }

  /** Hands queued jobs to ready workers that have room, each its share of a burst. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.count === 0) return;
    this.grow(); // a worker about to start counts in the shares
    const slots = [...this.slots]; // sending may retire a slot
    const counts = shares(
      slots,
      this.queue.count,
      this.depth.value,
      this.settings.maxTasksPerWorker,
    );
    for (let i = 0; i < slots.length; i++) if (counts[i]! > 0) this.sendTo(slots[i]!, counts[i]!);
  }

  /** Starts workers while queued work outnumbers the workers that will be free for it. */
  private grow(): void {
    while (
      this.slots.length < this.settings.maxWorkers &&
      this.queue.count > spareWorkers(this.slots)
    ) {
      if (!this.spawn()) return; // cannot start one now; with none running, spawn failed the queue
    }
  }

  /**
   * Sends up to `count` jobs from the front of the queue to `slot`: in one message, or, to
   * a worker that answers a batch at its end, in pieces of half the depth, so that it runs
   * one while the answers to the one before travel back and the next comes.
   */
  private sendTo(slot: WorkerSlot<Job>, count: number): void {
    const wasIdle = slot.idle;
    const perMessage = this.transport.batchedReplies
      ? Math.max(1, Math.ceil(this.depth.value / 2))
      : count;
    handOver(slot, this.queue, count, perMessage, this.targets.definitions, this.settings.name);
    if (wasIdle && !slot.idle) {
      if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.reference(true);
      slot.headSince = performance.now();
      this.jobStarted(slot, slot.inflight.peek()!);
    }
    this.settleIfDrained();
  }

  /** Puts jobs a worker did not start back at the front of the queue, in order. */
  private requeue(jobs: Job[]): void {
    for (const job of jobs) {
      job.phase = QUEUED;
      if (job.timer !== undefined) clearTimeout(job.timer);
      job.timer = undefined;
    }
    this.queue.pushFront(jobs);
    if (jobs.length > 0) this.scheduleFlush();
  }

  private onReply(slot: WorkerSlot<Job>, reply: unknown[]): void {
    if (slot.state >= RETIRING) return; // stopped by us: its jobs were taken back already
    const code = reply[0] as number;
    if (code === READY) {
      slot.state = SLOT_READY;
      this.startDeaths = 0;
      this.flush();
      this.afterIdle(slot);
      return;
    }
    if (code === INIT_FAILED) {
      const cause = decodeError(reply[1]);
      this.breakPool(`a worker's initializer failed (${describeCause(cause)})`, cause);
      return;
    }
    const job = slot.inflight.shift();
    if (job === undefined) return;
    slot.answered++;
    if (code === OK) {
      slot.done++;
      this.done++;
    } else this.countFailed(slot, 1);
    const now = performance.now();
    // A worker that answers batches reports how long they took itself (onServiceTime):
    // timed here, its answers would count the trips between batches too, and small
    // hand-overs, whose trips weigh most, would make the next ones smaller still.
    if (!this.transport.batchedReplies) this.depth.record(now - slot.headSince);
    if (job.phase !== OVER) {
      job.over();
      settleFromReply(job, code, reply);
    }
    slot.headSince = now;
    const next = slot.inflight.peek();
    if (next !== undefined) this.jobStarted(slot, next);
    if (slot.inflight.length <= this.depth.value >> 1 && this.queue.count > 0) this.scheduleFlush();
    if (next === undefined) this.afterIdle(slot);
  }

  /** `job` is now the task `slot` runs. */
  private jobStarted(slot: WorkerSlot<Job>, job: Job): void {
    if (job.aborted) {
      // Aborted while it waited in the worker; its answer may already be on the way.
      setImmediate(() => {
        if (slot.state === SLOT_READY && slot.inflight.peek() === job) {
          this.stopRunning(slot, job, undefined);
        }
      });
    } else if (job.timeout !== Number.POSITIVE_INFINITY) {
      job.timer = setTimeout(() => {
        job.timer = undefined;
        if (job.phase !== SENT || slot.inflight.peek() !== job) return;
        this.countFailed(slot, 1);
        const kind = this.transport.kind;
        this.stopRunning(slot, job, overtimeError(this.settings.name, job.timeout, kind));
      }, job.timeout);
    }
  }

  /** A worker has nothing to run: retire it if it is used up, idle too long, or shutting down. */
  private afterIdle(slot: WorkerSlot<Job>): void {
    if (!slot.idle || slot.state !== SLOT_READY) return;
    if (slot.sent >= this.settings.maxTasksPerWorker) {
      this.retire(slot);
      if (this.queue.count > 0) this.flush();
      return;
    }
    if (this.queue.count > 0) return;
    slot.reference(false);
    if (this.shutdownCalled) this.settleIfDrained();
    else if (
      this.settings.idleTimeout !== Number.POSITIVE_INFINITY &&
      slot.idleTimer === undefined
    ) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined;
        if (slot.idle && slot.state === SLOT_READY) this.retire(slot);
      }, this.settings.idleTimeout);
      slot.idleTimer.unref();
    }
  }

  /** Stops `slot` because the task it runs must stop: fails that task, re-queues the others. */
  private stopRunning(slot: WorkerSlot<Job>, job: Job, reason: unknown): void {
    const { unstarted } = slot.reclaim(slot.answered); // every job counts as not started...
    failJob(job, reason);
    this.retire(slot);
    this.requeue(unstarted.filter((other) => other !== job)); // ...but the one we stop
    this.grow();
  }

  /** Stops a worker the pool no longer needs (or must stop); its exit is then expected. */
  private retire(slot: WorkerSlot<Job>): void {
    if (slot.state >= RETIRING) return;
    slot.state = RETIRING;
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.stopping++;
    slot.link.terminate();
  }

  private onExit(slot: WorkerSlot<Job>, exitCode: number, cause: unknown): void {
    const state = slot.state;
    slot.state = GONE;
    if (state === RETIRING) {
      this.stopping--;
      this.settleIfDrained();
      return;
    }
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    const kind = this.transport.kind;
    if (state === STARTING) {
      // A death while starting is a crash like any other (a kill from outside, say): the
      // worker is replaced. Only a start that keeps failing breaks the pool.
      const crash = workerCrashed(kind, exitCode, cause, 'while starting', false);
      if (++this.startDeaths >= MAX_START_DEATHS) {
        const why = startDeathsWhy(this.settings.initializer !== null, describeCause(crash));
        this.breakPool(why, crash);
        return;
      }
      this.grow();
      this.settleIfDrained();
      return;
    }
    const started = slot.link.started();
    const { unstarted, failed } = failCrashed(slot, started, kind, exitCode, cause);
    this.countFailed(slot, failed);
    this.requeue(unstarted);
    this.grow();
    this.settleIfDrained();
  }

  /** Workers cannot start (`why`): fail everything held, stop every worker, refuse later work. */
  private breakPool(why: string, cause: unknown): void {
    if (this.broken !== null) return;
    this.broken = new BrokenExecutor(
      `${this.settings.name} is broken and runs no more tasks: ${why}`,
      { cause },
    );
    this.failEverything(this.broken);
  }

  /** Fails every task held, queued or in a worker, with `error` and stops every worker. */
  private failEverything(error: unknown): void {
    for (const slot of [...this.slots]) {
      failHeld(slot, error);
      this.retire(slot);
    }
    this.queue.failAll(error);
    this.settleIfDrained();
  }

  /** After shutdown: once nothing is queued or running, retire the workers; resolve when all exited. */
  private settleIfDrained(): void {
    if ((!this.shutdownCalled && this.broken === null) || this.queue.count > 0) return;
    for (const slot of [...this.slots]) if (slot.idle) this.retire(slot);
    if (this.slots.length === 0 && this.stopping === 0 && this.closedResolve !== null) {
      this.closedResolve();
      this.closedResolve = null;
    }
  }
}
