// Soak: 10 000 tasks, 1 % of which kill their worker (process.exit inside the task) at
// random places. Every other task succeeds with its own value, every killed one fails with
// WorkerCrashedError, the pool replaces workers as they die, and nothing hangs.
import { after, test } from 'node:test';
import { ThreadPoolExecutor } from '../src/index.js';
import { soak } from './support/soak.js';

const TASKS = 10_000;
const KILLS = 100;

const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
after(() => executor.shutdown({ cancelFutures: true }));

test(`${TASKS} tasks, ${KILLS} of which kill their worker: only those fail`, async () => {
  await soak(executor, TASKS, KILLS, Date.now() >>> 0);
});
