/**
 * The JavaScript peers of the thread-pool benchmark, each with exactly `threads` worker
 * threads and otherwise its defaults (piscina also with several tasks in flight per
 * worker), plus the minimal pipelined pool (the floor). Their workers load the `*-task.mjs`
 * modules beside this file; the task is `x + 1`.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { MinimalPool } from './minimal-pool.js';

export const PISCINA = 'piscina (defaults)';
export const PISCINA_IN_FLIGHT = 16;
export const PISCINA_CONCURRENT = `piscina, concurrentTasksPerWorker ${PISCINA_IN_FLIGHT}`;
export const TINYPOOL = 'tinypool';
export const WORKERPOOL = 'workerpool';
export const POOLIFIER = 'poolifier FixedThreadPool';
export const FLOOR = 'minimal pipelined pool (floor)';

/** One pool under test, warm for as long as the suite runs. */
export interface ThreadPoolContender {
  name: string;
  /** Runs the trivial task on every item (all submitted, then all awaited) and checks the results. */
  runAll: (items: number[]) => Promise<void>;
  /** Runs the trivial task once; absent where the latency would repeat another row's. */
  runOne?: (x: number) => PromiseLike<number>;
  close: () => Promise<void>;
}

/** Throws unless `results` are `x + 1` for every x of `items`, in order. */
export function checkIncremented(results: number[], items: number[]): void {
  const last = items.length - 1;
  if (results.length !== items.length || results[last] !== items[last]! + 1 || results[0] !== 1)
    throw new Error(`a run returned wrong results (${results.length} of ${items.length})`);
}

const taskFile = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

// Each library's submit-all is written out on its own on purpose: closures made from one
// shared function share V8's type feedback between the contenders. (One library's thread and
// process modes share theirs: it is the same pool class.)

function piscina(
  name: string,
  threads: number,
  concurrentTasksPerWorker?: number,
): ThreadPoolContender {
  const pool = new Piscina<number, number>({
    filename: taskFile('./thread-task.mjs'),
    minThreads: threads,
    maxThreads: threads,
    ...(concurrentTasksPerWorker !== undefined && { concurrentTasksPerWorker }),
  });
  return {
    name,
    runAll: async (items) =>
      checkIncremented(await Promise.all(items.map((i) => pool.run(i))), items),
    runOne: (x) => pool.run(x),
    close: () => pool.destroy(),
  };
}

/** tinypool with `workers` threads, or child processes with `runtime: 'child_process'`. */
export function tinypool(
  workers: number,
  name = TINYPOOL,
  runtime: 'worker_threads' | 'child_process' = 'worker_threads',
): ThreadPoolContender {
  const pool = new Tinypool({
    filename: taskFile('./thread-task.mjs'),
    runtime,
    minThreads: workers,
    maxThreads: workers,
  });
  return {
    name,
    runAll: async (items) =>
      checkIncremented(await Promise.all(items.map((i) => pool.run(i) as Promise<number>)), items),
    runOne: (x) => pool.run(x) as Promise<number>,
    close: () => pool.destroy(),
  };
}

/** workerpool with `workers` threads, or child processes with `workerType: 'process'`. */
export function workerPool(
  workers: number,
  name = WORKERPOOL,
  workerType: 'thread' | 'process' = 'thread',
): ThreadPoolContender {
  const pool = workerpool.pool(taskFile('./workerpool-task.mjs'), {
    minWorkers: workers,
    maxWorkers: workers,
    workerType,
  });
  return {
    name,
    runAll: async (items) =>
      checkIncremented(
        await Promise.all(items.map((i) => pool.exec('increment', [i]) as PromiseLike<number>)),
        items,
      ),
    runOne: (x) => pool.exec('increment', [x]) as PromiseLike<number>,
    close: async () => {
      await pool.terminate();
    },
  };
}

function poolifier(threads: number): ThreadPoolContender {
  const pool = new FixedThreadPool<number, number>(threads, taskFile('./poolifier-task.mjs'));
  return {
    name: POOLIFIER,
    runAll: async (items) =>
      checkIncremented(await Promise.all(items.map((i) => pool.execute(i))), items),
    runOne: (x) => pool.execute(x),
    close: () => pool.destroy(),
  };
}

function floor(threads: number): ThreadPoolContender {
  const pool = new MinimalPool(threads);
  return {
    name: FLOOR,
    runAll: async (items) =>
      checkIncremented(await Promise.all(items.map((i) => pool.run(i))), items),
    runOne: (x) => pool.run(x),
    close: () => pool.close(),
  };
}

/** Every peer pool, started now; `close()` each when done. */
export function threadPoolPeers(threads: number): ThreadPoolContender[] {
  const concurrent = piscina(PISCINA_CONCURRENT, threads, PISCINA_IN_FLIGHT);
  return [
    piscina(PISCINA, threads),
    // One task at a time, its latency is the defaults' row: no latency row of its own.
    { name: concurrent.name, runAll: concurrent.runAll, close: concurrent.close },
    tinypool(threads),
    workerPool(threads),
    poolifier(threads),
    floor(threads),
  ];
}
