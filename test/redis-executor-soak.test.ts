// The RedisExecutor soak, small (scripts/redis-executor-soak.ts runs the big one): 2,000 tasks
// through `weft worker` processes of which a few are SIGKILLed at random instants and
// replaced. Every task completes with its value, the queue and the dead letters end empty,
// and no task runs on two workers that lived. The seed is printed; WEFT_SOAK_SEED replays it.
import { after, before, test } from 'node:test';
import { executorSoak } from './support/executor-soak.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(() => server?.stop());

const seed = Number(process.env.WEFT_SOAK_SEED ?? Math.floor(Math.random() * 1_000_000));

test(`2,000 tasks, 3 worker processes killed and replaced: each completes, none twice among live workers (seed ${seed})`, {
  timeout: 170_000,
}, async (t) => {
  const report = await executorSoak({
    url: server.url,
    tasks: 2_000,
    workers: 3,
    concurrency: 8,
    kills: 3,
    // Well above any stall of a live worker on a loaded machine: a live worker that lost its
    // lease would run its task again elsewhere, which the soak reports.
    visibilityTimeout: 4_000,
    seed,
  });
  t.diagnostic(
    `${report.kills} kills, ${report.workersStarted} workers started, ${report.reruns} reruns, ${report.seconds.toFixed(1)} s`,
  );
});
