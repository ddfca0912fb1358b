/**
 * The JavaScript peers of the process-pool benchmark: workerpool's process mode and
 * tinypool's child_process runtime, each with exactly `processes` child processes and
 * otherwise its defaults. Their children load the same task modules as the thread-pool
 * peers (`workerpool-task.mjs`, `thread-task.mjs` beside this file); the task is `x + 1`.
 */
import { type PeerPool, tinypool, workerPool } from './thread-pools.js';

export const WORKERPOOL_PROCESS = "workerpool, workerType 'process'";
export const TINYPOOL_PROCESS = "tinypool, runtime 'child_process'";

/** One pool under test, warm for as long as its tables run. */
export type ProcessPoolContender = PeerPool;

/** Every peer pool, started now; `close()` each when done. */
export function processPoolPeers(processes: number): ProcessPoolContender[] {
  return [
    workerPool(processes, WORKERPOOL_PROCESS, 'process'),
    tinypool(processes, TINYPOOL_PROCESS, 'child_process'),
  ];
}
