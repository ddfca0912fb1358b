/**
 * The JavaScript peers of the thread-pool benchmark, each with exactly `threads` worker
 * threads and otherwise its defaults (piscina also with several tasks in flight per
 * worker), plus the minimal pipelined pool (the floor) in its two modes: one message per
 * task, as every peer sends, and a burst of tasks in one message, as weft sends. Their
 * workers load the `*-task.mjs` modules beside this file; the task is `x + 1`.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { MinimalPool } from './minimal-pool.js';
import { checkIncremented } from './results.js';

export const PISCINA = 'piscina (defaults)';
export const PISCINA_IN_FLIGHT = 16;
export const PISCINA_CONCURRENT = `piscina, concurrentTasksPerWorker ${PISCINA_IN_FLIGHT}`;
export const TINYPOOL = 'tinypool';
export const WORKERPOOL = 'workerpool';
export const POOLIFIER = 'poolifier FixedThreadPool';
export const FLOOR = 'minimal pool, one message per task (floor)';
export const FLOOR_BURST = 'minimal pool, burst in one message (floor)';

/** One pool under test, warm for as long as the suite runs. */
export interface ThreadPoolContender {
  name: string;
  /** Runs the trivial task on every item (all submitted, then all awaited) and checks the results. */
  runAll: (items: number[]) => Promise<void>;
  /** Runs the trivial task once (submit-and-await-each); absent where there is no such form. */
  runOne?: (x: number) => PromiseLike<number>;
  close: () => Promise<void>;
}

/** A peer pool: every peer has a one-task form. */
export type PeerPool = Required<ThreadPoolContender>;

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
): PeerPool {
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
): PeerPool {
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

/**
 * The minimal pool of `workers` threads (or child processes with `kind: 'process'`): one
 * message per task, or with `burst` one per worker per tick.
 */
export function floor(
  workers: number,
  burst: boolean,
  name: string,
  kind: 'thread' | 'process' = 'thread',
): PeerPool {
  const pool = new MinimalPool(workers, burst, kind);
  return {
    name,
    runAll: async (items) =>
      checkIncremented(await Promise.all(items.map((i) => pool.run(i))), items),
    runOne: (x) => pool.run(x),
    close: () => pool.close(),
  };
}

/** Every peer pool, started now; `close()` each when done. */
export function threadPoolPeers(threads: number): ThreadPoolContender[] {
  return [
    piscina(PISCINA, threads),
    piscina(PISCINA_CONCURRENT, threads, PISCINA_IN_FLIGHT),
    tinypool(threads),
    workerPool(threads),
    poolifier(threads),
    floor(threads, false, FLOOR),
    floor(threads, true, FLOOR_BURST),
  ];
}
