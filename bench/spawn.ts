/**
 * `spawn` of 100 000 trivial tasks and `joinAll` of them, against `Promise.all` over as
 * many calls of a plain async function (the floor: no task machinery at all). Aim: weft at
 * least 0.6x the floor measured in a process of its own (the project's aim for its task
 * scope). The floor is measured in a fresh process of its own and in this one (see
 * bench/fresh.ts). Every batch checks every result, in every row.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { joinAll, spawn, type Task } from 'weft';
import {
  type Contender,
  freshRow,
  makeTable,
  measure,
  runFresh,
  type Settings,
  type Table,
} from './harness.js';
import { PROMISE_ALL, promiseAllFloor } from './peers/promise-all.js';

const JOIN_ALL = 'weft spawn + joinAll';
const AWAIT_ALL = 'weft spawn + Promise.all(tasks)';
const FLOOR_OWN = `${PROMISE_ALL} (floor), own process`;
const FLOOR_SHARED = `${PROMISE_ALL} (floor), in weft's process`;
const ALS_CEILING = 'AsyncLocalStorage.run per call + Promise.all';

/** Any task that keeps an identity across awaits on Node 20 pays at least one `run` per task. */
const storage = new AsyncLocalStorage<{ id: number }>();

async function identityTask(i: number): Promise<number> {
  return i;
}

async function alsRunAll(tasks: number, batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const pending: Promise<number>[] = new Array(tasks);
    for (let i = 0; i < tasks; i++) pending[i] = storage.run({ id: i }, identityTask, i);
    const results = await Promise.all(pending);
    for (let i = 0; i < tasks; i++) {
      if (results[i] !== i) throw new Error(`AsyncLocalStorage.run: result ${i} is ${results[i]}`);
    }
  }
}

async function joinAllTask(i: number): Promise<number> {
  return i;
}

async function awaitAllTask(i: number): Promise<number> {
  return i;
}

async function spawnJoinAll(tasks: number, batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const spawned: Task<number>[] = new Array(tasks);
    for (let i = 0; i < tasks; i++) spawned[i] = spawn(joinAllTask, i);
    const ended = await joinAll(spawned);
    if (ended.length !== tasks) throw new Error(`joinAll returned ${ended.length} tasks`);
    for (let i = 0; i < tasks; i++) {
      if (ended[i] !== spawned[i] || ended[i]!.value !== i)
        throw new Error(`joinAll: task ${i} is not the one spawned or did not return ${i}`);
    }
  }
}

async function spawnAwaitAll(tasks: number, batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const spawned: Task<number>[] = new Array(tasks);
    for (let i = 0; i < tasks; i++) spawned[i] = spawn(awaitAllTask, i);
    const results = await Promise.all(spawned);
    if (results.length !== tasks) throw new Error(`Promise.all returned ${results.length} results`);
    for (let i = 0; i < tasks; i++) {
      if (results[i] !== i) throw new Error(`Promise.all: result ${i} is ${results[i]}`);
    }
  }
}

function contenders(tasks: number, batches: number): Contender[] {
  return [
    { name: JOIN_ALL, run: () => spawnJoinAll(tasks, batches) },
    { name: AWAIT_ALL, run: () => spawnAwaitAll(tasks, batches) },
    { ...promiseAllFloor(tasks, batches), name: FLOOR_SHARED },
    { name: ALS_CEILING, run: () => alsRunAll(tasks, batches) },
  ];
}

export async function spawnSuites(settings: Settings): Promise<Table[]> {
  const { spawnTasks: tasks, spawnBatches: batches } = settings;
  const ops = tasks * batches;
  settings.log(
    `spawn: floor in a fresh process (${batches} x ${tasks} calls, ${settings.rounds} rounds)`,
  );
  const fresh = runFresh('spawn', settings);
  settings.log(`spawn + joinAll: ${batches} x ${tasks} tasks per run`);
  const rows = await measure(contenders(tasks, batches), ops, settings);
  return [
    makeTable({
      title: `spawn + joinAll, trivial tasks (${batches} x ${tasks.toLocaleString('en')} per run)`,
      unit: 'tasks/s',
      ops,
      references: [FLOOR_OWN, FLOOR_SHARED],
      rows: [...rows.slice(0, 2), freshRow(fresh, PROMISE_ALL, FLOOR_OWN), ...rows.slice(2)],
      targets: [{ subject: JOIN_ALL, reference: FLOOR_OWN, atLeast: 0.6 }],
      comparisons: [{ subject: JOIN_ALL, reference: FLOOR_SHARED }],
      notes: [
        'task: `async (i) => i`. weft: `tasks[i] = spawn(fn, i)` for every i, then ' +
          '`await joinAll(tasks)`; the second row awaits `Promise.all(tasks)` instead (a Task ' +
          'is awaitable). Floor: `promises[i] = fn(i)`, then `await Promise.all(promises)`. ' +
          'Every batch checks every result (and, for joinAll, that each task is the one spawned).',
        '"own process": a fresh Node process that never starts a weft task (bench/fresh.ts), ' +
          "measured before this table's rounds. \"in weft's process\": interleaved with weft's " +
          "rows, where Node 20's AsyncLocalStorage promise hook is on, as in any program " +
          'that uses weft tasks. The target counts rounds by index against the fresh ' +
          "process's rounds, which ran just before, not interleaved with weft's.",
        `"${ALS_CEILING}": the floor plus the one thing every task that keeps its identity ` +
          "across awaits must do on Node 20 (`storage.run(identity, fn, i)`), in weft's " +
          'process: the most any such task can reach against the fresh floor, whatever else it ' +
          'does or skips.',
      ],
    }),
  ];
}
