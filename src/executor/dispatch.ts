/**
 * How much of the queue each worker is handed: the prefetch depth (how many tasks a worker
 * may hold, from the service time of past tasks) and the share of a burst (what one worker
 * may take while others are idle or starting).
 *
 * Pipelining: a worker is handed several tasks at once (one message per batch) and runs
 * them one at a time, in order. How many it holds adapts to how long tasks take, so about
 * a millisecond of work waits in a worker: thousands of tiny tasks travel in batches, while
 * long tasks are handed over one by one and the rest stay in the queue, cancellable. A
 * worker is topped up once it has drained to half of that, so tasks that trickle in (a map
 * refilling its window as its results are read) still travel many to a message; a worker
 * that answers a batch only at its end (a process) gets its hand-over in pieces of half the
 * depth, and runs one while the answers to the one before travel back. Such a worker times
 * its batches itself (from the first start to the last answer): timed by their arrival here,
 * the trips between batches would count as work, and the smaller the hand-overs, the more
 * they would weigh, making the next hand-overs smaller still.
 *
 * The depth comes from past tasks, and the next burst may be of much longer ones: so no
 * worker takes more than its share of what is queued and held while another worker is idle
 * or still starting (a worker that will exist counts), or one worker would run most of a
 * burst of long tasks while the others wait.
 * @module
 */
import type { Job } from './job.js';
import type { JobQueue } from './job-queue.js';
import type { TargetDefinition } from './targets.js';
import { READY, STARTING, type WorkerSlot } from './worker-slot.js';

/** Work a worker may hold ahead of what it runs, in ms of estimated run time. */
const PREFETCH_MS = 1;
/** At most this many tasks handed to one worker at a time. */
export const MAX_DEPTH = 64;

/** @internal How many tasks a worker may hold now: about `PREFETCH_MS` of estimated work. */
export class PrefetchDepth {
  /** Tasks a worker may hold now, 1 to `MAX_DEPTH`. */
  value = 1;
  /** Moving average of how long a task takes in its worker, in ms (-1: none yet). */
  private serviceTime = -1;

  /** A task took `ms` in its worker, from the end of the one before (or its sending). */
  record(ms: number): void {
    this.serviceTime = this.serviceTime < 0 ? ms : this.serviceTime + (ms - this.serviceTime) / 8;
    this.value =
      pinnedDepth ?? Math.max(1, Math.min(MAX_DEPTH, Math.floor(PREFETCH_MS / this.serviceTime)));
  }
}

let pinnedDepth: number | undefined;

/**
 * @internal For tests that need a worker to hold a task queued behind the one it runs,
 * whatever the machine's load makes of the service time: the depth every pool takes from
 * its next recorded task on (`undefined`: measured again).
 */
export function pinPrefetchDepth(depth: number | undefined): void {
  pinnedDepth = depth;
}

/** @internal Starting workers plus ready ones with nothing to do: those that will take queued work soon. */
export function spareWorkers(slots: readonly WorkerSlot[]): number {
  let spare = 0;
  for (const slot of slots) if (slot.state === STARTING || slot.idle) spare++;
  return spare;
}

/**
 * @internal How many queued tasks to hand each of `slots` now (one count per slot, in order).
 * A ready worker takes up to its room (the depth, and what `maxTasksPerWorker` leaves it);
 * with several workers open for work (starting, or ready with room), each is filled only up
 * to an equal share of what is queued plus what they hold, rounded down so that the rest
 * waits in the queue for the first worker to drain (a worker with nothing still takes one).
 */
export function shares(
  slots: readonly WorkerSlot[],
  queued: number,
  depth: number,
  maxTasksPerWorker: number,
): number[] {
  const rooms = slots.map((slot) => {
    if (slot.state !== READY) return 0;
    const held = slot.inflight.length;
    // A worker still holding more than half its depth waits to drain to half, then takes a
    // batch: tasks trickling in (a map refilling its window) travel many to a message.
    if (held > depth >> 1) return 0;
    return Math.max(0, Math.min(depth, maxTasksPerWorker - slot.sent + held) - held);
  });
  let open = 0;
  let total = queued;
  slots.forEach((slot, i) => {
    if (slot.state === STARTING) open++;
    else if (rooms[i]! > 0) {
      open++;
      total += slot.inflight.length;
    }
  });
  if (open === 0) return rooms; // all 0: no worker has room
  const share = Math.max(1, Math.floor(total / open));
  let left = queued;
  return slots.map((slot, i) => {
    const count = Math.max(0, Math.min(rooms[i]!, share - slot.inflight.length, left));
    left -= count;
    return count;
  });
}

/**
 * @internal Sends up to `count` jobs from the front of `queue` to `slot`, at most
 * `perMessage` to a message; a job that cannot be sent (a moved buffer already gone) fails
 * alone, with a TypeError.
 */
export function handOver(
  slot: WorkerSlot<Job>,
  queue: JobQueue,
  count: number,
  perMessage: number,
  definitions: readonly TargetDefinition[],
  executorName: string,
): void {
  let left = count;
  while (left > 0) {
    const jobs = takeJobs(queue, Math.min(left, perMessage));
    if (jobs.length === 0) return;
    left -= jobs.length;
    post(slot, jobs, definitions, executorName);
  }
}

/** Up to `count` jobs from the front of `queue`, each marked running. */
function takeJobs(queue: JobQueue, count: number): Job[] {
  const jobs: Job[] = [];
  while (jobs.length < count) {
    const job = queue.shift();
    if (job === null) break;
    // A job taken back from a stopped worker is marked running already.
    if (!job.running() && !job.setRunningOrNotifyCancel()) {
      job.over();
      continue;
    }
    jobs.push(job);
  }
  return jobs;
}

/** Posts `jobs` as one message, or, if one of them cannot be sent, one by one. */
function post(
  slot: WorkerSlot<Job>,
  jobs: Job[],
  definitions: readonly TargetDefinition[],
  executorName: string,
): void {
  if (slot.post(jobs, definitions) === null) return;
  for (const job of jobs) {
    const error = slot.post([job], definitions);
    if (error !== null) {
      job.over();
      job.setException(
        new TypeError(
          `${executorName}: the task could not be sent to its worker: ${(error as Error).message}`,
          { cause: error },
        ),
      );
    }
  }
}
