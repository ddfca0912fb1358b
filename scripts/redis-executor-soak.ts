/**
 * The RedisExecutor soak: many tasks through a RedisExecutor to `weft worker` processes that
 * are SIGKILLed at random instants and replaced (test/support/executor-soak.ts). Afterwards
 * every task completed with its value, the queue and the dead letters are empty, and no task
 * ran on two workers that lived. Uses a redis-server of its own when the binary is there,
 * else WEFT_REDIS_URL. Replayable: the seed is printed, and `WEFT_SOAK_SEED` sets it.
 *
 * Usage: `WEFT_SOAK_TASKS=100000 WEFT_SOAK_WORKERS=4 WEFT_SOAK_KILLS=30 node --import tsx scripts/redis-executor-soak.ts`
 * (also WEFT_SOAK_CONCURRENCY, default 16, and WEFT_SOAK_VISIBILITY_MS, default 3000).
 * @module
 */
import { executorSoak } from '../test/support/executor-soak.js';
import { startRedis } from '../test/support/redis-server.js';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seed = number('WEFT_SOAK_SEED', Math.floor(Math.random() * 1_000_000));
const tasks = number('WEFT_SOAK_TASKS', 100_000);
const settings = {
  tasks,
  workers: number('WEFT_SOAK_WORKERS', 4),
  concurrency: number('WEFT_SOAK_CONCURRENCY', 16),
  kills: number('WEFT_SOAK_KILLS', Math.max(3, Math.round(tasks / 3_000))),
  visibilityTimeout: number('WEFT_SOAK_VISIBILITY_MS', 3_000),
  seed,
};
console.log(`redis executor soak, seed ${seed} (WEFT_SOAK_SEED=${seed} replays the kills)`);
console.log(JSON.stringify(settings));

const server = await startRedis();
try {
  const report = await executorSoak({ url: server.url, ...settings, log: console.log });
  console.log(
    `${report.tasks} tasks, ${report.kills} workers killed (${report.workersStarted} started): ` +
      `every task completed with its value, none ran on two live workers; ${report.reruns} ran ` +
      `again after their worker was killed; ${report.seconds.toFixed(1)} s`,
  );
} catch (error) {
  console.error(`soak failed with seed ${seed}`);
  throw error;
} finally {
  await server.stop();
}
