/**
 * The order in which `ExecutorMap` hands out the tasks it submitted: input order
 * (`Executor.map`, `Pool.imap`) or completion order (`Pool.imapUnordered`).
 * @module
 */
import type { Future, FutureDoneListener } from '../futures/future.js';
import { Deque } from '../queue/deque.js';
import type { Job } from './job.js';

/** The input failed here (its iterator threw, or an item cannot cross). */
export class Failure {
  constructor(readonly error: unknown) {}
}

/** A submitted task, or where the input failed. */
export type Entry = Job | Failure;

/** @internal The entries a map has not handed out yet. */
export interface Outstanding {
  /** Entries held, handed out or not ready yet. */
  readonly length: number;
  push(entry: Entry): void;
  /** The next entry to hand out (awaiting it gives its outcome), or `undefined` when none is due now. */
  shift(): Entry | undefined;
  /** Removes and returns every entry: the map stops. */
  clear(): Entry[];
}

/** Input order: the oldest entry is due, finished or not. */
export class InOrder extends Deque<Entry> implements Outstanding {
  clear(): Entry[] {
    const entries: Entry[] = [];
    for (let entry = this.shift(); entry !== undefined; entry = this.shift()) entries.push(entry);
    return entries;
  }
}

/**
 * Completion order: a finished task is due as soon as it finished. A failure of the input
 * is due only once every task submitted before it was handed out, so none of their
 * results is lost to it.
 */
export class AsCompleted implements Outstanding, FutureDoneListener {
  private readonly running = new Set<Job>();
  private readonly finished = new Deque<Job>();
  private failure: Failure | null = null;

  /** `onFinish` is told each time a task finishes: the consumer may be waiting for one. */
  constructor(private readonly onFinish: () => void) {}

  get length(): number {
    return this.running.size + this.finished.length + (this.failure === null ? 0 : 1);
  }

  push(entry: Entry): void {
    if (entry instanceof Failure) {
      // The map pulls nothing after a failure of its input, so there is at most one.
      this.failure ??= entry;
      return;
    }
    this.running.add(entry);
    entry.addDoneListener(this);
  }

  futureDone(future: Future<unknown>): void {
    const job = future as Job;
    if (!this.running.delete(job)) return;
    this.finished.push(job);
    this.onFinish();
  }

  shift(): Entry | undefined {
    const job = this.finished.shift();
    if (job !== undefined) return job;
    if (this.running.size > 0 || this.failure === null) return undefined;
    const failure = this.failure;
    this.failure = null;
    return failure;
  }

  clear(): Entry[] {
    const entries: Entry[] = [];
    for (let job = this.finished.shift(); job !== undefined; job = this.finished.shift()) {
      entries.push(job);
    }
    for (const job of this.running) {
      job.removeDoneListener(this);
      entries.push(job);
    }
    this.running.clear();
    if (this.failure !== null) entries.push(this.failure);
    this.failure = null;
    return entries;
  }
}
