/**
 * Process pools, 2 child processes each, task by task in two ways: submit-all (every
 * trivial task submitted, then all awaited: throughput) and submit-and-await-each (one
 * task in flight at a time: median latency), weft's ProcessPoolExecutor and Pool against
 * workerpool's process mode, tinypool's child_process runtime, a minimal pipelined pool of
 * child processes (the floor, one message per task, or one message per burst), Python's
 * ProcessPoolExecutor and multiprocessing.Pool; then `map` with chunks, weft against Python. Aims: weft `submit`
 * at least 3x Python's ProcessPoolExecutor, submit-all; weft's `map` and `Pool.map` with chunks
 * at least 1.5x Python's multiprocessing.Pool.map.
 *
 * weft sends the tasks submitted in one tick as one message per child, every peer (and
 * Python) one message per task, so submit-all measures batching as much as the cost of a
 * task: hence the burst floor and the submit-and-await-each table.
 *
 * Every JavaScript contender runs in this process, in the same rotated rounds: no weft green
 * task runs here (the executor starts none), so none pays for the AsyncLocalStorage promise
 * hook, as in the thread-pool suite. Python runs first, in a subprocess of its own, before
 * any of our pools has started a child.
 * @module
 */
import os from 'node:os';
import { Pool, ProcessPoolExecutor } from 'weft';
import { awaitEachNote, burstNote, mapAll, submitAll } from './executor-runs.js';
import {
  type Contender,
  type LatencyContender,
  makeTable,
  measure,
  measureLatency,
  pythonRow,
  type Row,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import {
  PROCESS_FLOOR,
  PROCESS_FLOOR_BURST,
  type ProcessPoolContender,
  processPoolPeers,
  TINYPOOL_PROCESS,
  WORKERPOOL_PROCESS,
} from './peers/process-pools.js';
import { batchItems, checkedEach, checkIncremented } from './peers/results.js';
import { increment } from './thread-task.js';

/** Child processes of every pool: the aims' reference figures were taken on 2-core machines. */
const PROCESSES = 2;

const WEFT_SUBMIT = 'weft ProcessPoolExecutor.submit';
const WEFT_APPLY_ASYNC = 'weft Pool.applyAsync';
const PYTHON_SUBMIT = 'Python ProcessPoolExecutor.submit';
const PYTHON_APPLY_ASYNC = 'Python multiprocessing.Pool.apply_async';
const WEFT_MAP = 'weft ProcessPoolExecutor.map';
const WEFT_POOL_MAP = 'weft Pool.map';
const PYTHON_MAP = 'Python ProcessPoolExecutor.map';
const PYTHON_POOL_MAP = 'Python multiprocessing.Pool.map';

/** weft's `Pool`, warm for the suite. */
interface PoolUnderTest {
  applyAsyncAll: (items: number[]) => Promise<void>;
  applyAsyncOne: (x: number) => Promise<number>;
  mapAll: (items: number[], chunksize: number) => Promise<void>;
  close: () => Promise<void>;
}

function openPool(processes: number): PoolUnderTest {
  const pool = new Pool(processes);
  return {
    applyAsyncAll: async (items) => {
      const pending = items.map((i) => pool.applyAsync(increment, [i]));
      checkIncremented(await Promise.all(pending.map((result) => result.get())), items);
    },
    applyAsyncOne: (x) => pool.applyAsync(increment, [x]).get(),
    mapAll: async (items, chunksize) =>
      checkIncremented(await pool.map(increment, items, chunksize), items),
    close: () => {
      pool.close();
      return pool.join();
    },
  };
}

/**
 * Task by task, submit-all and submit-and-await-each: weft's executor and Pool, and the
 * peers, each pool warm for every round of both.
 */
async function taskByTaskRows(
  settings: Settings,
  executor: ProcessPoolExecutor,
  pool: PoolUnderTest,
): Promise<{ throughput: Row[]; latency: Row[] }> {
  const items = batchItems(settings.processTasks);
  const peers: ProcessPoolContender[] = processPoolPeers(PROCESSES);
  const contenders: Contender[] = [
    { name: WEFT_SUBMIT, run: () => submitAll(executor, items) },
    { name: WEFT_APPLY_ASYNC, run: () => pool.applyAsyncAll(items) },
    ...peers.map((peer) => ({ name: peer.name, run: () => peer.runAll(items) })),
  ];
  const each: LatencyContender[] = [
    { name: WEFT_SUBMIT, call: checkedEach((x) => executor.submit(increment, x)) },
    { name: WEFT_APPLY_ASYNC, call: checkedEach(pool.applyAsyncOne) },
    ...peers.map((peer) => ({ name: peer.name, call: checkedEach(peer.runOne) })),
  ];
  try {
    settings.log(
      `process pools: ${settings.processTasks} trivial tasks per run, submit-all, ${PROCESSES} processes`,
    );
    const throughput = await measure(contenders, settings.processTasks, settings);
    settings.log(
      `process pools: submit-and-await-each, ${settings.processLatencyCalls} round trips per round`,
    );
    const latency = await measureLatency(each, settings.processLatencyCalls, settings);
    return { throughput, latency };
  } finally {
    await Promise.all(peers.map((peer) => peer.close()));
  }
}

/** `map` with chunks on weft's executor and Pool (the peers have no map). */
async function mapRows(
  settings: Settings,
  executor: ProcessPoolExecutor,
  pool: PoolUnderTest,
): Promise<Row[]> {
  const { processMapItems: count, processChunksize: chunksize } = settings;
  const items = batchItems(count);
  settings.log(`process pools: map over ${count} items, chunksize ${chunksize}`);
  const rows = await measure(
    [
      { name: WEFT_MAP, run: () => mapAll(executor, items, chunksize) },
      { name: WEFT_POOL_MAP, run: () => pool.mapAll(items, chunksize) },
    ],
    count,
    settings,
  );
  return rows;
}

export async function processPoolSuites(settings: Settings): Promise<Table[]> {
  const {
    processTasks: tasks,
    processMapItems: mapItems,
    processChunksize: chunksize,
    processLatencyCalls: calls,
  } = settings;
  settings.log(
    `process pools: Python ProcessPoolExecutor and multiprocessing.Pool (python3 subprocess, ${settings.rounds} rounds)`,
  );
  const pythonResult = runPython('process_pool.py', [
    PROCESSES,
    tasks,
    mapItems,
    chunksize,
    settings.rounds,
    settings.processLatencyCalls,
  ]);

  // One executor and one Pool serve both tables; their warm-up rounds start the children.
  const executor = new ProcessPoolExecutor({ maxWorkers: PROCESSES });
  const pool = openPool(PROCESSES);
  let taskByTask: { throughput: Row[]; latency: Row[] };
  let mapped: Row[];
  try {
    taskByTask = await taskByTaskRows(settings, executor, pool);
    mapped = await mapRows(settings, executor, pool);
  } finally {
    await Promise.all([executor.shutdown(), pool.close()]);
  }

  const cores = os.availableParallelism();
  const pools =
    `${PROCESSES} child processes in every pool (this machine has ${cores} cores): weft ` +
    `maxWorkers ${PROCESSES} and Pool(${PROCESSES}); workerpool minWorkers = maxWorkers = ` +
    `${PROCESSES}, workerType 'process'; tinypool minThreads = maxThreads = ${PROCESSES}, ` +
    `runtime 'child_process'; each floor ${PROCESSES} forked children, V8 serialization ` +
    `on IPC, as weft's; Python max_workers=${PROCESSES} and Pool(${PROCESSES}) (fork, ` +
    "Linux's default start method). Nothing else changed from the defaults.";
  const warm =
    'warm pools: each pool is created before the warm-up round (which starts its children) ' +
    "and closed after its last table. weft's children run the task module under tsx, as the " +
    'bench itself does.';
  const python =
    'Python: measured first, in one python3 subprocess (bench/python/process_pool.py), with ' +
    'both of its pools warm and its patterns in rotated rounds of their own; it checks every ' +
    'result after the timed region.';
  // Python's task-by-task rows: submit-all patterns, or with '_each' submit-and-await-each.
  const pythonTaskRows = (suffix: string): Row[] => [
    pythonRow(PYTHON_SUBMIT, pythonResult, `executor_submit${suffix}`),
    pythonRow(PYTHON_APPLY_ASYNC, pythonResult, `pool_apply_async${suffix}`),
  ];
  return [
    makeTable({
      title: `Process pool, submit-all: trivial tasks (${tasks.toLocaleString('en')} per run, ${PROCESSES} processes)`,
      unit: 'tasks/s',
      ops: tasks,
      references: [PYTHON_SUBMIT, PROCESS_FLOOR_BURST],
      rows: [...taskByTask.throughput, ...pythonTaskRows('')],
      targets: [{ subject: WEFT_SUBMIT, reference: PYTHON_SUBMIT, atLeast: 3 }],
      comparisons: [
        { subject: WEFT_APPLY_ASYNC, reference: PYTHON_APPLY_ASYNC },
        { subject: WEFT_SUBMIT, reference: WORKERPOOL_PROCESS },
        { subject: WEFT_SUBMIT, reference: TINYPOOL_PROCESS },
        { subject: WEFT_SUBMIT, reference: PROCESS_FLOOR_BURST },
        { subject: PROCESS_FLOOR_BURST, reference: PROCESS_FLOOR },
      ],
      notes: [
        burstNote(PROCESS_FLOOR_BURST),
        pools,
        'task: `x + 1` over 0..N-1. Each run submits every task, then awaits them all and ' +
          'checks every result: weft `executor.submit(increment, i)` for each item, then ' +
          '`Promise.all(futures)`; weft Pool `pool.applyAsync(increment, [i])`, then every ' +
          "`result.get()`; workerpool `pool.exec('increment', [i])`, tinypool and the floors " +
          '`pool.run(i)`, awaited with `Promise.all`; Python `[f.result() for f in [executor.submit(increment, ' +
          'i) ...]]` and `[r.get() for r in [pool.apply_async(increment, (i,)) ...]]`. The ' +
          'timed region is from the first submit to the last result.',
        warm,
        python,
      ],
    }),
    makeTable({
      title: `Process pool, submit-and-await-each: one task in flight (${calls.toLocaleString('en')} round trips per round)`,
      unit: 'median latency',
      ops: calls,
      references: [PYTHON_SUBMIT, PROCESS_FLOOR],
      rows: [...taskByTask.latency, ...pythonTaskRows('_each')],
      targets: [],
      latency: true,
      notes: [
        awaitEachNote,
        'weft `await executor.submit(increment, x)` and `await pool.applyAsync(increment, ' +
          "[x]).get()`; workerpool `await pool.exec('increment', [x])`, tinypool and the " +
          'floors `await pool.run(x)`; Python `executor.submit(increment, x).result()` and ' +
          '`pool.apply_async(increment, (x,)).get()`.',
        pools,
        warm,
        python,
      ],
    }),
    makeTable({
      title: `Process pool, map with chunks (${mapItems.toLocaleString('en')} items per run, chunksize ${chunksize}, ${PROCESSES} processes)`,
      unit: 'items/s',
      ops: mapItems,
      references: [PYTHON_MAP, PYTHON_POOL_MAP],
      rows: [
        ...mapped,
        pythonRow(PYTHON_MAP, pythonResult, 'executor_map'),
        pythonRow(PYTHON_POOL_MAP, pythonResult, 'pool_map'),
      ],
      targets: [
        { subject: WEFT_MAP, reference: PYTHON_POOL_MAP, atLeast: 1.5 },
        { subject: WEFT_POOL_MAP, reference: PYTHON_POOL_MAP, atLeast: 1.5 },
      ],
      comparisons: [{ subject: WEFT_MAP, reference: PYTHON_MAP }],
      notes: [
        `task: \`x + 1\` over 0..N-1, ${chunksize} items per message. weft: \`for await\` over ` +
          `\`executor.map(increment, items, { chunksize: ${chunksize} })\`, and ` +
          `\`await pool.map(increment, items, ${chunksize})\`; Python ` +
          `\`list(executor.map(increment, items, chunksize=${chunksize}))\` and ` +
          `\`pool.map(increment, items, chunksize=${chunksize})\`. Every run checks its results.`,
        pools,
        warm,
      ],
    }),
  ];
}
