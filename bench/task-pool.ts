/**
 * TaskPool(10) over batches of 10 000 trivial async tasks, as `pool.map(fn, items)` and as
 * `pool.spawn` for each item + `await pool.join()`, against p-limit, p-queue and fastq with
 * a concurrency of 10. Aim: weft at least 2x p-limit and at least 2x fastq (`map` is the
 * subject). The peers run in a fresh process of their own (bench/fresh.ts),
 * because once weft's first task has turned on Node's AsyncLocalStorage promise hook every
 * promise in this process pays for it, and a program using only a peer would not.
 * @module
 */
import { type Task, TaskPool } from 'weft';
import {
  type Contender,
  freshRow,
  makeTable,
  measure,
  runFresh,
  type Settings,
  type Table,
} from './harness.js';
import { FASTQ, P_LIMIT, P_QUEUE, POOL_SIZE } from './peers/pool-peers.js';
import { batchItems, checkResults } from './peers/results.js';

const MAP = 'weft TaskPool.map';
const SPAWN = 'weft TaskPool.spawn + join';
const OWN = ', own process';

async function mapTask(i: number): Promise<number> {
  return i;
}

async function spawnTask(i: number): Promise<number> {
  return i;
}

async function mapBatches(items: number[], batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const pool = new TaskPool(POOL_SIZE);
    checkResults(await pool.map(mapTask, items), items);
  }
}

async function spawnBatches(items: number[], batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const pool = new TaskPool(POOL_SIZE);
    const tasks: Task<number>[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) tasks[i] = pool.spawn(spawnTask, items[i]!);
    await pool.join();
    checkResults(
      tasks.map((task) => task.value),
      items,
    );
  }
}

function contenders(tasks: number, batches: number): Contender[] {
  const items = batchItems(tasks);
  return [
    { name: MAP, run: () => mapBatches(items, batches) },
    { name: SPAWN, run: () => spawnBatches(items, batches) },
  ];
}

export async function taskPoolSuites(settings: Settings): Promise<Table[]> {
  const { poolTasks: tasks, poolBatches: batches } = settings;
  const ops = tasks * batches;

  settings.log(
    `TaskPool: peers in a fresh process (${batches} x ${tasks} tasks, ${settings.rounds} rounds)`,
  );
  const fresh = runFresh('task-pool', settings);
  settings.log(`TaskPool(${POOL_SIZE}): ${batches} x ${tasks} tasks per run`);
  const rows = await measure(contenders(tasks, batches), ops, settings);

  const peerRows = [P_LIMIT, P_QUEUE, FASTQ].map((name) => freshRow(fresh, name, name + OWN));
  return [
    makeTable({
      title: `TaskPool(${POOL_SIZE}), trivial async tasks (${batches} x ${tasks.toLocaleString('en')} per run)`,
      unit: 'tasks/s',
      ops,
      references: [P_LIMIT + OWN, FASTQ + OWN],
      rows: [...rows, ...peerRows],
      targets: [
        { subject: MAP, reference: P_LIMIT + OWN, atLeast: 2 },
        { subject: MAP, reference: FASTQ + OWN, atLeast: 2 },
      ],
      comparisons: [
        { subject: SPAWN, reference: P_LIMIT + OWN },
        { subject: SPAWN, reference: FASTQ + OWN },
      ],
      notes: [
        'task: `async (i) => i`; every batch uses a new pool (limiter, queue) of concurrency ' +
          `${POOL_SIZE} and checks its results.`,
        'weft: `await pool.map(fn, items)`; and `pool.spawn(fn, i)` for each item, then ' +
          '`await pool.join()`. p-limit: `Promise.all(items.map((i) => limit(() => fn(i))))`; ' +
          'p-queue: `await queue.addAll(items.map((i) => () => fn(i)))`; fastq: ' +
          '`fastq.promise(fn, 10)`, `Promise.all(items.map((i) => q.push(i)))`.',
        'peers: measured in a fresh Node process that never starts a weft task ' +
          "(bench/fresh.ts), in rotated rounds of their own, just before weft's rounds. In " +
          "weft's process, after its first task turned on Node 20's AsyncLocalStorage " +
          'promise hook, every promise is slower (see the spawn table).',
      ],
    }),
  ];
}
