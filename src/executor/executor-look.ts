/**
 * What the local dashboard shows of an executor's workers: each one's state, the task it
 * runs and its counts, and the executor's waiting and running tasks. A worker holds several
 * tasks at once (dispatch.ts) but runs the first only: the others count as waiting.
 * @module
 */
import type { WorkerLook } from '../core/live-registry.js';
import type { Job } from './job.js';
import { READY, STARTING, type WorkerSlot } from './worker-slot.js';

/** The figures of `slots` and a queue of `queued` tasks, for workers of `mode`. */
export function lookAtWorkers(
  slots: readonly WorkerSlot<Job>[],
  queued: number,
  mode: string,
): { waiting: number; running: number; workers: WorkerLook[] } {
  let waiting = queued;
  let running = 0;
  const workers: WorkerLook[] = [];
  for (const slot of slots) {
    const head = slot.state === READY ? slot.inflight.peek() : undefined;
    waiting += slot.inflight.length - (head === undefined ? 0 : 1);
    if (head !== undefined) running++;
    const task = head && `${head.target.definition.module}#${head.target.exportName}`;
    workers.push({
      mode,
      id: slot.link.id,
      state: slot.state === STARTING ? 'starting' : 'running',
      current: task === undefined ? null : { task, since: slot.headSince },
      done: slot.done,
      failed: slot.failed,
    });
  }
  return { waiting, running, workers };
}
