/**
 * The JavaScript peers of the process-pool benchmark: workerpool's process mode and
 * tinypool's child_process runtime, each with exactly `processes` child processes and
 * otherwise its defaults, and the minimal pipelined pool over child processes (the floor)
 * in its two modes. Their children load the same task modules as the thread-pool peers
 * (`workerpool-task.mjs`, `thread-task.mjs`, `minimal-pool-worker.mjs` beside this file);
 * the task is `x + 1`.
 */
import { floor, type PeerPool, tinypool, workerPool } from './thread-pools.js';

export const WORKERPOOL_PROCESS = "workerpool, workerType 'process'";
export const TINYPOOL_PROCESS = "tinypool, runtime 'child_process'";
export const PROCESS_FLOOR = 'minimal process pool, one message per task (floor)';
export const PROCESS_FLOOR_BURST = 'minimal process pool, burst in one message (floor)';

/** One pool under test, warm for as long as its tables run. */
export type ProcessPoolContender = PeerPool;

/** Every peer pool, started now; `close()` each when done. */
export function processPoolPeers(processes: number): ProcessPoolContender[] {
  return [
    workerPool(processes, WORKERPOOL_PROCESS, 'process'),
    tinypool(processes, TINYPOOL_PROCESS, 'child_process'),
    floor(processes, false, PROCESS_FLOOR, 'process'),
    floor(processes, true, PROCESS_FLOOR_BURST, 'process'),
  ];
}
