/**
 * Thread pools, 2 workers each, in two ways: submit-all (every task submitted, then all
 * awaited: throughput) and submit-and-await-each (one task in flight at a time: median
 * latency), weft's ThreadPoolExecutor against piscina (defaults, and several tasks in
 * flight per worker), tinypool, workerpool, poolifier, a minimal pipelined pool (the floor,
 * one message per task, or one message per burst) and Python's ThreadPoolExecutor; then a
 * CPU-bound map (fib) on 1 and 2 workers, also right after a history of small tasks
 * (cpu-map-history.ts). Aims: weft `submit` at least 3x piscina's
 * defaults (submit-all); 2 workers at least 1.85x one on the CPU-bound map.
 *
 * weft sends the tasks submitted in one tick as one message per worker, every peer one
 * message per task, so submit-all measures batching as much as the cost of a task: hence
 * the burst floor and the submit-and-await-each table.
 *
 * Every contender runs in this process, in the same rotated rounds. That is fair only while
 * no weft green task has run: the first one turns on Node's AsyncLocalStorage promise hook,
 * which slows every promise after. The executor never enters a task, so run.ts runs this
 * suite before the TaskPool suite and no contender needs a fresh process.
 * @module
 */
import os from 'node:os';
import { ThreadPoolExecutor } from 'weft';
import { cpuMapHistoryTable } from './cpu-map-history.js';
import { awaitEachNote, burstNote, mapAll, submitAll } from './executor-runs.js';
import {
  makeTable,
  measure,
  measureLatency,
  pythonRow,
  type Row,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import { batchItems, checkedEach } from './peers/results.js';
import {
  FLOOR,
  FLOOR_BURST,
  PISCINA,
  PISCINA_IN_FLIGHT,
  type ThreadPoolContender,
  threadPoolPeers,
} from './peers/thread-pools.js';
import { fib, increment } from './thread-task.js';

/** Workers of every pool: the aims' reference figures were taken on 2-core machines. */
const THREADS = 2;

const WEFT_SUBMIT = 'weft ThreadPoolExecutor.submit';
const WEFT_MAP = 'weft ThreadPoolExecutor.map';
const PYTHON = 'Python ThreadPoolExecutor';
const ONE_WORKER = 'weft ThreadPoolExecutor, 1 worker';
const TWO_WORKERS = 'weft ThreadPoolExecutor, 2 workers';

/** weft's two rows, each on an executor of its own. */
function weftPools(): ThreadPoolContender[] {
  const forSubmit = new ThreadPoolExecutor({ maxWorkers: THREADS });
  const forMap = new ThreadPoolExecutor({ maxWorkers: THREADS });
  return [
    {
      name: WEFT_SUBMIT,
      runAll: (items) => submitAll(forSubmit, items),
      runOne: (x) => forSubmit.submit(increment, x),
      close: () => forSubmit.shutdown(),
    },
    {
      name: WEFT_MAP,
      runAll: (items) => mapAll(forMap, items),
      close: () => forMap.shutdown(),
    },
  ];
}

/** Throughput and latency rows of every pool; each pool lives from its warm-up to the last round. */
async function trivialRows(settings: Settings): Promise<{ throughput: Row[]; latency: Row[] }> {
  const items = batchItems(settings.threadTasks);
  const pools = [...weftPools(), ...threadPoolPeers(THREADS)];
  try {
    settings.log(`thread pools: ${settings.threadTasks} trivial tasks per run, ${THREADS} workers`);
    const throughput = await measure(
      pools.map((pool) => ({ name: pool.name, run: () => pool.runAll(items) })),
      settings.threadTasks,
      settings,
    );
    settings.log(
      `thread pools: submit-and-await-each, ${settings.threadLatencyCalls} round trips per round`,
    );
    const latency = await measureLatency(
      pools.flatMap(({ name, runOne }) =>
        runOne === undefined ? [] : [{ name, call: checkedEach(runOne) }],
      ),
      settings.threadLatencyCalls,
      settings,
    );
    return { throughput, latency };
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

async function fibMap(executor: ThreadPoolExecutor, items: number[], expected: number) {
  let count = 0;
  for await (const value of executor.map(fib, items)) {
    if (value !== expected) throw new Error(`fib returned ${value}, not ${expected}`);
    count++;
  }
  if (count !== items.length) throw new Error(`map gave ${count} of ${items.length} results`);
}

/** fib(n) over the items on 1 worker and on 2, each executor warm for all its rounds. */
async function cpuBoundRows(settings: Settings, expected: number): Promise<Row[]> {
  const items = new Array<number>(settings.fibItems).fill(settings.fibN);
  const one = new ThreadPoolExecutor({ maxWorkers: 1 });
  const two = new ThreadPoolExecutor({ maxWorkers: 2 });
  try {
    settings.log(`CPU-bound map: fib(${settings.fibN}) over ${settings.fibItems} items`);
    return await measure(
      [
        { name: ONE_WORKER, run: () => fibMap(one, items, expected) },
        { name: TWO_WORKERS, run: () => fibMap(two, items, expected) },
      ],
      settings.fibItems,
      settings,
    );
  } finally {
    await Promise.all([one.shutdown(), two.shutdown()]);
  }
}

/**
 * The three thread-pool tables: trivial-task throughput, one-task latency, CPU-bound map.
 *
 * @example
 * ```ts
 * const tables = await threadPoolSuites(settings); // as run.ts does
 * ```
 */
export async function threadPoolSuites(settings: Settings): Promise<Table[]> {
  const { threadTasks: tasks, threadLatencyCalls: calls, fibN, fibItems } = settings;
  settings.log(
    `thread pools: Python ThreadPoolExecutor (python3 subprocess, ${tasks} tasks, ${settings.rounds} rounds)`,
  );
  const python = runPython('thread_pool.py', [THREADS, tasks, calls, settings.rounds]);
  const { throughput, latency } = await trivialRows(settings);

  // One fib(n) in this thread: what a task costs, for the note (and the expected result).
  const started = performance.now();
  const expected = fib(fibN);
  const fibMs = performance.now() - started;
  const cpuBound = await cpuBoundRows(settings, expected);
  const cpuBoundAfterHistory = await cpuMapHistoryTable(settings);

  const cores = os.availableParallelism();
  const pools =
    `${THREADS} worker threads in every pool (this machine has ${cores} cores): weft ` +
    `maxWorkers ${THREADS}; piscina and tinypool minThreads = maxThreads = ${THREADS}; ` +
    `workerpool minWorkers = maxWorkers = ${THREADS}, workerType 'thread'; poolifier ` +
    `FixedThreadPool(${THREADS}); Python max_workers=${THREADS}. Nothing else changed from ` +
    "the defaults, except piscina's second row.";
  const warm =
    'warm pools: each row has a pool of its own, created before the warm-up round (which ' +
    'starts its workers) and destroyed after the submit-and-await-each rounds.';
  return [
    makeTable({
      title: `Thread pool, submit-all: trivial tasks (${tasks.toLocaleString('en')} per run, ${THREADS} workers)`,
      unit: 'tasks/s',
      ops: tasks,
      references: [PISCINA, FLOOR, FLOOR_BURST],
      rows: [...throughput, pythonRow(PYTHON, python, 'throughput')],
      targets: [{ subject: WEFT_SUBMIT, reference: PISCINA, atLeast: 3 }],
      comparisons: [
        { subject: WEFT_MAP, reference: PISCINA },
        { subject: WEFT_SUBMIT, reference: FLOOR_BURST },
        { subject: WEFT_MAP, reference: FLOOR_BURST },
        { subject: FLOOR_BURST, reference: FLOOR },
        { subject: WEFT_SUBMIT, reference: PYTHON },
      ],
      notes: [
        burstNote(FLOOR_BURST),
        pools,
        'task: `x + 1` over 0..N-1. Each run submits every task, then awaits them all and ' +
          'checks every result: weft `executor.submit(increment, i)` for each item, then ' +
          '`Promise.all(futures)`; weft map: `for await` over `executor.map(increment, items)` ' +
          '(default chunksize 1); peers `Promise.all(items.map((i) => pool.run(i)))` (exec, ' +
          'execute); Python `[f.result() for f in [executor.submit(increment, i) ...]]`. The ' +
          'timed region is from the first submit to the last result.',
        `piscina runs one task at a time per worker by default; its second row lets each ` +
          `worker hold ${PISCINA_IN_FLIGHT} (concurrentTasksPerWorker). The floors ` +
          '(bench/peers/minimal-pool.ts) post tasks without waiting and settle a promise per ' +
          '`{ id, result }` reply: one message `{ id, arg }` per task, or (burst) the tasks ' +
          'of one tick shared out as one message per worker.',
        warm,
        'every contender runs in this process, in the same rotated rounds, before any weft ' +
          'green task has turned on the AsyncLocalStorage promise hook (the executor starts ' +
          'none), so no row pays for it and no fresh process is needed.',
      ],
    }),
    makeTable({
      title: `Thread pool, submit-and-await-each: one task in flight (${calls.toLocaleString('en')} round trips per round)`,
      unit: 'median latency',
      ops: calls,
      references: [PISCINA, FLOOR],
      rows: [...latency, pythonRow(PYTHON, python, 'latency')],
      targets: [],
      latency: true,
      notes: [awaitEachNote, 'weft map has no row here: it has no one-task form.', pools, warm],
    }),
    makeTable({
      title: `CPU-bound map: fib(${fibN}) over ${fibItems} items`,
      unit: 'tasks/s',
      ops: fibItems,
      references: [ONE_WORKER],
      rows: cpuBound,
      targets: [{ subject: TWO_WORKERS, reference: ONE_WORKER, atLeast: 1.85 }],
      notes: [
        `one fib(${fibN}) took ${fibMs.toFixed(0)} ms in the main thread (cold). This machine ` +
          `has ${cores} cores; other load on it cuts the speed-up first.`,
        '`for await` over `executor.map(fib, items)` (default chunksize 1) on a warm ' +
          'executor of maxWorkers 1 and one of maxWorkers 2, both created before the warm-up ' +
          'round and shut down after the last.',
      ],
    }),
    cpuBoundAfterHistory,
  ];
}
