/**
 * The JavaScript peers of the process-pool benchmark: workerpool's process mode and
 * tinypool's child_process runtime, each with exactly `processes` child processes and
 * otherwise its defaults. Their children load the same task modules as the thread-pool
 * peers (`workerpool-task.mjs`, `thread-task.mjs` beside this file); the task is `x + 1`.
 */
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { checkIncremented, type ThreadPoolContender } from './thread-pools.js';

export const WORKERPOOL_PROCESS = "workerpool, workerType 'process'";
export const TINYPOOL_PROCESS = "tinypool, runtime 'child_process'";

/** One pool under test, warm for as long as its table runs. */
export type ProcessPoolContender = Omit<ThreadPoolContender, 'runOne'>;

const taskFile = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

// Each pool's submit-all is written out on its own on purpose: closures made from one shared
// function share V8's type feedback between the contenders.

function workerPoolProcesses(processes: number): ProcessPoolContender {
  const pool = workerpool.pool(taskFile('./workerpool-task.mjs'), {
    minWorkers: processes,
    maxWorkers: processes,
    workerType: 'process',
  });
  return {
    name: WORKERPOOL_PROCESS,
    runAll: async (items) =>
      checkIncremented(
        await Promise.all(items.map((i) => pool.exec('increment', [i]) as PromiseLike<number>)),
        items,
      ),
    close: async () => {
      await pool.terminate();
    },
  };
}

function tinypoolProcesses(processes: number): ProcessPoolContender {
  const pool = new Tinypool({
    filename: taskFile('./thread-task.mjs'),
    runtime: 'child_process',
    minThreads: processes,
    maxThreads: processes,
  });
  return {
    name: TINYPOOL_PROCESS,
    runAll: async (items) =>
      checkIncremented(await Promise.all(items.map((i) => pool.run(i) as Promise<number>)), items),
    close: () => pool.destroy(),
  };
}

/** Every peer pool, started now; `close()` each when done. */
export function processPoolPeers(processes: number): ProcessPoolContender[] {
  return [workerPoolProcesses(processes), tinypoolProcesses(processes)];
}
