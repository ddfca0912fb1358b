// The dish pipeline over Redis (`runDishes({ mode: 'redis' })`, `weft demo dishes --mode
// redis`): the two queues are RedisQueues of a redis-server this file starts, each dryer is a
// child process with clients of its own, every dish is counted once per stage in stage order,
// no child and no key of the run is left — and an unreachable Redis is a clear error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { runDishes } from '../src/demo/dishes.js';
import { activeChildren, WorkerCrashedError } from '../src/index.js';
import { childLimit } from './support/child-budget.js';
import {
  assertEveryDishOnceInOrder,
  assertEveryDishReported,
  recordRun,
  runWeft,
  stageCounts,
} from './support/dish-runs.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

const QUICK = { washMs: 0, dryMs: 0, stackMs: 0, queueSize: 2, mode: 'redis' } as const;

let redis: TestRedis;
let client: Redis;
before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
after(async () => {
  client?.disconnect();
  await redis?.stop();
});

/** Keys of every demo run still in Redis. */
function demoKeys(): Promise<string[]> {
  return client.keys('weft:{queue:weft-demo-dishes:*');
}

describe('runDishes in redis mode', { timeout: 120_000 }, () => {
  test('every dish passes every stage exactly once; the dryers are processes; nothing is left', async () => {
    const dishes = 30;
    let duringRun: string[] = [];
    let keysDuringRun: string[] = [];
    const { summary, events } = await recordRun(
      { ...QUICK, redis: redis.url, dishes, dryers: 2, stackers: 2 },
      (stage) => {
        if (stage.name === 'stack' && stage.dishes === 1) {
          duringRun = activeChildren().map((child) => child.name);
          void demoKeys().then((keys) => {
            keysDuringRun = keys;
          });
        }
      },
    );
    assert.deepEqual(duringRun.sort(), ['dryer-1', 'dryer-2']);
    assertEveryDishOnceInOrder(events, dishes);
    assert.deepEqual(stageCounts(summary), [
      ['wash', 2, dishes],
      ['dry', 2, dishes],
      ['stack', 2, dishes],
    ]);
    assert.ok(keysDuringRun.length > 0, 'the queues were in this Redis');
    assert.deepEqual(activeChildren(), [], 'every dryer process has ended');
    assert.deepEqual(await demoKeys(), [], "the run's queues are deleted");
  });

  test('a dryer killed mid-run fails the run with WorkerCrashedError; the rest stop; nothing is left', async () => {
    let killed = false;
    const run = recordRun(
      { ...QUICK, dryMs: 2, redis: redis.url, dishes: 400, dryers: 2 },
      (stage) => {
        if (killed || stage.name !== 'dry' || stage.dishes < 3) return;
        const dryer = activeChildren().find((child) => child.name === 'dryer-1');
        assert.ok(dryer?.pid !== undefined, 'dryer-1 runs');
        killed = true;
        process.kill(dryer.pid, 'SIGKILL');
      },
    );
    await assert.rejects(run, (error: Error) => {
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.match(error.message, /dryer process dryer-1 ended/);
      return true;
    });
    assert.ok(killed);
    assert.deepEqual(activeChildren(), [], 'the other dryer has ended too');
    assert.deepEqual(await demoKeys(), [], "the run's queues are deleted");
  });

  test('a Redis URL with another mode is a RangeError', async () => {
    await assert.rejects(
      runDishes({ mode: 'tasks', redis: redis.url }),
      /redis names the Redis of mode 'redis', but the mode is 'tasks'/,
    );
  });
});

describe('weft demo dishes --mode redis', { timeout: 120_000 }, () => {
  test('runs the pipeline through Redis and reports as the other modes do', async () => {
    const args = ['demo', 'dishes', '--mode', 'redis', '--redis', redis.url];
    const run = await runWeft(
      [...args, ...'--dishes 20 --dryers 2 --wash-ms 0 --dry-ms 1 --stack-ms 0'.split(' ')],
      { timeout: 90_000 },
    );
    assertEveryDishReported(run, 20, [2, 2, 1], 'redis');
    assert.match(run.stdout, /this machine, same setup: .*redis \d+\.\d dishes\/s/);
    assert.deepEqual(await demoKeys(), []);
  });

  test('an unreachable Redis exits 1 naming the address and what to start', async () => {
    // A server of our own, stopped: nothing listens on its port any more.
    const gone = await startRedis();
    const url = gone.url;
    await gone.stop();
    const run = await runWeft(['demo', 'dishes', '--mode', 'redis', '--redis', url], {
      timeout: 60_000,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`cannot reach Redis at ${url}`));
    assert.match(run.stderr, /redis-server --port \d+/);
    assert.match(run.stderr, /--redis URL/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(run.stdout, '');
  });

  test('--redis without --mode redis is a usage mistake (exit 2)', async () => {
    const run = await runWeft(['demo', 'dishes', '--redis', redis.url], {
      timeout: await childLimit(15_000),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--redis names the Redis of --mode redis\nAdd --mode redis/);
  });
});
