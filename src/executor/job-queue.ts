/**
 * The executor's queue of jobs waiting for a worker: FIFO, with jobs taken back from a
 * stopped worker returning to the front. A job that leaves while queued (cancelled, aborted)
 * stays linked and is skipped when the queue reaches it; `count` counts only live jobs.
 * @module
 */
import { type Job, QUEUED } from './job.js';

/** @internal */
export class JobQueue {
  private head: Job | null = null;
  private tail: Job | null = null;
  /** Jobs still waiting (not cancelled or aborted). */
  count = 0;

  push(job: Job): void {
    if (this.tail === null) this.head = job;
    else this.tail.next = job;
    this.tail = job;
    this.count++;
  }

  /** Puts `jobs` back at the front, in their order. */
  pushFront(jobs: readonly Job[]): void {
    for (let i = jobs.length - 1; i >= 0; i--) {
      const job = jobs[i]!;
      job.next = this.head;
      this.head = job;
      if (this.tail === null) this.tail = job;
      this.count++;
    }
  }

  /** Takes the first live job (dropping the ones that left on the way), or `null`. */
  shift(): Job | null {
    for (let job = this.head; job !== null; job = this.head) {
      this.head = job.next;
      job.next = null;
      if (this.head === null) this.tail = null;
      if (job.phase === QUEUED) {
        this.count--;
        return job;
      }
    }
    return null;
  }

  /** A queued job left (cancelled or aborted); it is dropped when the queue reaches it. */
  forget(): void {
    this.count--;
    if (this.count === 0) this.head = this.tail = null;
  }

  /** Cancels every queued job that can be (jobs a dead worker had been handed cannot: they stay). */
  cancelAll(): void {
    const jobs: Job[] = [];
    for (let job = this.head; job !== null; job = job.next) jobs.push(job);
    for (const job of jobs) if (job.phase === QUEUED) job.cancel(); // each one calls forget()
    this.head = this.tail = null;
    for (const job of jobs) {
      job.next = null;
      if (job.phase !== QUEUED) continue;
      if (this.tail === null) this.head = job;
      else this.tail.next = job;
      this.tail = job;
    }
  }

  /** Fails every queued job with `error` and empties the queue. */
  failAll(error: unknown): void {
    for (let job = this.shift(); job !== null; job = this.shift()) {
      job.over();
      job.setException(error);
    }
  }
}
