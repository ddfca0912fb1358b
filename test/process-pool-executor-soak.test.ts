// Soak: thousands of tasks on a ProcessPoolExecutor, 1 % of which end their child process
// (process.exit inside the task) at random places. Every other task succeeds with its own
// value, every killed one fails with WorkerCrashedError carrying the exit code, the pool
// replaces children as they die, and nothing hangs.
//
// 10 000 tasks, as the issue asks: each death costs a fork (a Node child under tsx, a
// quarter of a second on a 2-core machine), so this takes about 30 s on a quiet machine
// (up to 75 s under other load). WEFT_SOAK_TASKS sets another size, WEFT_SOAK_SEED replays
// a seed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ProcessPoolExecutor } from '../src/index.js';
import { soak } from './support/soak.js';

const TASKS = Number(process.env.WEFT_SOAK_TASKS ?? 10_000);
const KILLS = Math.round(TASKS / 100);

const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
after(() => executor.shutdown({ cancelFutures: true }));

test(`${TASKS} tasks, ${KILLS} of which end their child process: only those fail`, {
  timeout: 300_000,
}, async () => {
  const seed = Number(process.env.WEFT_SOAK_SEED ?? Date.now() >>> 0);
  await soak(executor, TASKS, KILLS, seed);
  await executor.shutdown();
  assert.equal(executor.workerCount, 0);
});
