// Soak: thousands of tasks on a ProcessPoolExecutor, 1 % of which end their child process
// (process.exit inside the task) at random places. Every other task succeeds with its own
// value, every killed one fails with WorkerCrashedError carrying the exit code, the pool
// replaces children as they die, and nothing hangs.
//
// The issue asks for 10 000 tasks. Each death costs a fork (a Node child under tsx: a
// quarter to half a second on a 2-core machine), and 10 000 tasks took 30 to 75 s here,
// so the default is 2 000 tasks with 20 deaths (about 7 s); WEFT_SOAK_TASKS=10000 runs the
// full size, WEFT_SOAK_SEED replays a seed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ProcessPoolExecutor } from '../src/index.js';
import { soak } from './support/soak.js';

const TASKS = Number(process.env.WEFT_SOAK_TASKS ?? 2_000);
const KILLS = Math.round(TASKS / 100);

const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
after(() => executor.shutdown({ cancelFutures: true }));

test(`${TASKS} tasks, ${KILLS} of which end their child process: only those fail`, {
  timeout: 120_000,
}, async () => {
  const seed = Number(process.env.WEFT_SOAK_SEED ?? Date.now() >>> 0);
  await soak(executor, TASKS, KILLS, seed);
  await executor.shutdown();
  assert.equal(executor.workerCount, 0);
});
