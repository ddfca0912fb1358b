// A Redis SIGKILLed and restarted mid-run, keeping an append-only file fsynced before each
// answer: every item or task acknowledged before the kill stays acknowledged (never delivered
// again), every one got and not acknowledged is delivered again (after its lease), nothing
// put is lost, and the clients reconnect by themselves — calls made while Redis was down
// complete once it is back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisQueue } from '../src/redis/index.js';
import * as t from './fixtures/redis-tasks.js';
import { linesOf, redisExecutorHarness, until } from './support/redis-executors.js';
import { skipUnlessOwnServer } from './support/redis-server.js';

const FILE = { timeout: 180_000, skip: skipUnlessOwnServer() };
/** The lease of the consumers that take items over (short, so a dead consumer's items come back soon). */
const VISIBILITY_MS = 500;
/** Long enough for any get in these tests on a loaded machine; they end as soon as an item comes. */
const PATIENCE_MS = 60_000;

const h = redisExecutorHarness({ appendonly: true });

describe('RedisQueue across a Redis restart with append-only persistence', FILE, () => {
  test('acknowledged items stay acknowledged, unacknowledged ones come again, nothing put is lost', async () => {
    const name = h.queue();
    const options = { redis: h.url, visibilityTimeout: VISIBILITY_MS };
    const producer = new RedisQueue<number>(name, options);
    const survivor = new RedisQueue<number>(name, options);
    const fresh = new RedisQueue<number>(name, options);
    // A getter waiting through the restart. Its long lease keeps it from taking over the
    // survivor's item should the restart outlast VISIBILITY_MS (the taker's lease decides).
    const patient = new RedisQueue<number>(name, { redis: h.url, visibilityTimeout: PATIENCE_MS });
    // A consumer that dies while Redis is down: its connection is cut and never comes back.
    const mortalClient = new Redis(h.url);
    mortalClient.on('error', () => {});
    const mortal = new RedisQueue<number>(name, {
      redis: mortalClient,
      visibilityTimeout: VISIBILITY_MS,
    });
    try {
      for (let item = 0; item < 10; item++) await producer.put(item);
      assert.deepEqual(
        [await survivor.get(), await survivor.get(), await survivor.get()],
        [0, 1, 2],
      );
      await survivor.taskDone(); // 0
      await survivor.taskDone(); // 1; 2 stays leased to the survivor
      assert.deepEqual([await mortal.get(), await mortal.get()], [3, 4]);
      assert.equal(await fresh.qsize(), 5, 'connected before the kill');
      assert.equal(await patient.qsize(), 5, 'connected before the kill');

      await h.server.kill();
      mortalClient.disconnect();
      const putWhileDown = producer.put(10);
      const ackWhileDown = survivor.taskDone(); // 2
      const getWhileDown = patient.get({ timeout: PATIENCE_MS });
      await h.server.restart();

      await putWhileDown;
      await ackWhileDown;
      const got = [await getWhileDown];
      await patient.taskDone();
      // 5 to 10, and 3 and 4 once the dead consumer's lease ran out: each once.
      while (got.length < 8) {
        got.push(await fresh.get({ timeout: PATIENCE_MS }));
        await fresh.taskDone();
      }
      assert.deepEqual(
        got.toSorted((a, b) => a - b),
        [3, 4, 5, 6, 7, 8, 9, 10],
      );
      // Every item put was acknowledged once: nothing is left to deliver again.
      assert.equal(await producer.join({ timeout: 0 }), true);
      assert.equal(await producer.qsize(), 0);
    } finally {
      await Promise.all([producer, survivor, fresh, patient, mortal].map((queue) => queue.close()));
      mortalClient.disconnect();
    }
  });

  test('a join waiting across the restart is not rejected: it resolves once the items put before are done', async () => {
    const [producer, watcher, consumer] = h.redisQueues<number>(3);
    await producer.put(1);
    await producer.put(2);
    // The watcher has looked (and read the queue's epoch) before the kill.
    assert.equal(await watcher.join({ timeout: 0 }), false);
    const joins = Promise.all([producer.join(), watcher.join()]);
    await h.server.kill();
    await h.server.restart();
    // Nobody held an item across the restart: no lease can run out meanwhile.
    for (const expected of [1, 2]) {
      assert.equal(await consumer.get(), expected);
      await consumer.taskDone();
    }
    assert.deepEqual(await joins, [true, true]);
  });
});

describe('RedisExecutor across a Redis restart with append-only persistence', FILE, () => {
  test('a task completed before the kill is not run again; running, queued and new tasks complete once', async () => {
    const queue = h.queue();
    const executor = h.executor(queue);
    // A lease longer than the restart: the worker keeps its tasks through it.
    await h.worker(queue, { concurrency: 2, visibilityTimeout: PATIENCE_MS });
    const before = h.file('before');
    assert.equal(await executor.submit(t.mark, before, 'ran'), 'ran');

    // Two tasks running on the worker and two queued behind them when Redis goes.
    const slowPaths = [0, 1, 2, 3].map((i) => h.file(`slow-${i}`));
    const slow = slowPaths.map((path) => executor.submit(t.slow, path, 300));
    await until(
      () => slowPaths.filter((path) => linesOf(path).includes('start')).length === 2,
      'two tasks started',
    );
    await h.server.kill();
    const down = h.file('down');
    const submittedWhileDown = executor.submit(t.mark, down, 'ran');
    // The running tasks end while Redis is down: their outcomes wait for it.
    await until(
      () => slowPaths.filter((path) => linesOf(path).includes('end')).length === 2,
      'the running tasks ended',
    );
    await h.server.restart();

    assert.deepEqual(await Promise.all(slow), [300, 300, 300, 300]);
    assert.equal(await submittedWhileDown, 'ran');
    for (const path of slowPaths) assert.deepEqual(linesOf(path), ['start', 'end'], path);
    assert.deepEqual(linesOf(down), ['ran']);
    // Nothing is left in the queue to run again, and the task before the kill ran once.
    const raw = new Redis(h.url);
    try {
      assert.equal(await raw.xlen(`weft:{executor:${queue}}:stream`), 0);
    } finally {
      raw.disconnect();
    }
    assert.deepEqual(linesOf(before), ['ran']);
  });
});
