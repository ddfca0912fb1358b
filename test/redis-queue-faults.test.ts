// RedisQueue at its edges: a Redis restart (calls made while it is down wait and then work
// on the fresh server; nothing hangs: a join waiting for items it lost rejects), an address
// where nothing listens, bad names and options refused at the constructor, values that
// cannot cross refused at put, and values that are not plain JSON carried as they are.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  QueueEmpty,
  QueueStateLostError,
  RedisQueue,
  RedisUnavailableError,
} from '../src/redis/index.js';
import { skipUnlessOwnServer, startRedis, type TestRedis } from './support/redis-server.js';

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(() => server.stop());

let count = 0;
const uniqueName = () => `faults-${++count}-${process.pid}`;

describe('RedisQueue faults and checks', { timeout: 120_000 }, () => {
  test('across a Redis restart, waiting and new calls go on with the fresh server', {
    skip: skipUnlessOwnServer(),
  }, async () => {
    const name = uniqueName();
    const producer = new RedisQueue<string>(name, { redis: server.url, maxsize: 5 });
    const consumer = new RedisQueue<string>(name, { redis: server.url });
    try {
      await producer.put('before');
      assert.equal(await consumer.get(), 'before');
      const waitingGet = consumer.get();
      // Its rejection is checked from the start: it may come while Redis restarts.
      const waitingJoin = assert.rejects(producer.join(), QueueStateLostError);
      await server.kill();
      const putWhileDown = producer.put('while down');
      const sizeWhileDown = consumer.qsize();
      await server.restart();
      await putWhileDown;
      assert.equal(await waitingGet, 'while down');
      assert.equal(await sizeWhileDown, 0, 'the fresh server starts empty');
      // Nothing on disk: the item got before the restart is gone with its lease, and its
      // acknowledgement is refused, not lost silently.
      await assert.rejects(consumer.taskDone(), { name: 'LeaseLostError' });
      await consumer.taskDone();
      // 'before' was lost, not acknowledged: the join that waited for it says so.
      await waitingJoin;
      await producer.put('after');
      assert.equal(await consumer.get({ timeout: 60_000 }), 'after');
      await consumer.taskDone();
      assert.equal(await producer.join({ timeout: 0 }), true);
    } finally {
      await Promise.all([producer.close(), consumer.close()]);
    }
  });

  test('an address where nothing listens: RedisUnavailableError from every kind of call', async () => {
    const queue = new RedisQueue<number>(uniqueName(), {
      redis: 'redis://127.0.0.1:1',
      connectTimeout: 200,
    });
    try {
      await assert.rejects(queue.put(1), RedisUnavailableError);
      await assert.rejects(queue.get(), (error: Error) => {
        assert.ok(error instanceof RedisUnavailableError);
        assert.match(error.message, /127\.0\.0\.1:1/);
        return true;
      });
      await assert.rejects(queue.qsize(), RedisUnavailableError);
      await assert.rejects(queue.join(), RedisUnavailableError);
    } finally {
      await queue.close();
    }
  });

  test('bad names and options are refused at the constructor', () => {
    const redis = server.url;
    assert.throws(() => new RedisQueue('', { redis }), TypeError);
    assert.throws(() => new RedisQueue('a b', { redis }), /braces or white space/);
    assert.throws(() => new RedisQueue(42 as unknown as string, { redis }), TypeError);
    assert.throws(() => new RedisQueue('q', { redis, maxsize: -1 }), RangeError);
    assert.throws(() => new RedisQueue('q', { redis, maxsize: 1.5 }), RangeError);
    assert.throws(
      () => new RedisQueue('q', { redis, maxsize: '3' as unknown as number }),
      TypeError,
    );
    assert.throws(() => new RedisQueue('q', { redis, visibilityTimeout: 0 }), RangeError);
    assert.throws(
      () => new RedisQueue('q', { redis, visibilityTimeout: Number.POSITIVE_INFINITY }),
      RangeError,
    );
    assert.throws(
      () => new RedisQueue('q', { redis, maxSize: 3 } as never),
      /unknown option "maxSize"/,
    );
    assert.throws(() => new RedisQueue('q', { redis: 'http://x' }), TypeError);
    assert.throws(() => new RedisQueue('q', { redis, connectTimeout: -1 }), RangeError);
  });

  test('a value that cannot cross is a TypeError at put, and nothing is added', async () => {
    const queue = new RedisQueue<unknown>(uniqueName(), { redis: server.url });
    try {
      class Counter {
        n = 0;
        increment() {
          this.n++;
        }
      }
      await assert.rejects(
        queue.put(() => 1),
        /the item is function/,
      );
      await assert.rejects(queue.putNowait(Symbol('s')), TypeError);
      await assert.rejects(queue.put({ nested: [1, { fn: Math.max }] }), /\.nested\[1\]\.fn/);
      await assert.rejects(queue.put(new Counter()), /methods \(increment\)/);
      assert.equal(await queue.qsize(), 0);
      await assert.rejects(queue.getNowait(), QueueEmpty);
    } finally {
      await queue.close();
    }
  });

  test('plain data and values JSON cannot carry come out as they went in', async () => {
    const queue = new RedisQueue<unknown>(uniqueName(), { redis: server.url });
    try {
      const values: unknown[] = [
        'text',
        42,
        null,
        { a: [1, 'two', { three: true }] },
        undefined,
        -0,
        Number.NaN,
        10n ** 30n,
        new Map([['k', new Set([1, 2])]]),
        new Date(0),
        new Uint8Array([1, 2, 3]),
        { missing: undefined },
      ];
      for (const value of values) await queue.put(value);
      for (const value of values) assert.deepStrictEqual(await queue.get(), value);
      for (const _ of values) await queue.taskDone();
      assert.equal(await queue.join({ timeout: 0 }), true);
    } finally {
      await queue.close();
    }
  });

  test('calls after close() reject; close() may be repeated; await using closes', async () => {
    const name = uniqueName();
    {
      await using queue = new RedisQueue<number>(name, { redis: server.url });
      await queue.put(1);
    }
    const queue = new RedisQueue<number>(name, { redis: server.url });
    assert.equal(await queue.qsize(), 1);
    await queue.close();
    await queue.close();
    await assert.rejects(queue.put(2), /was closed/);
    await assert.rejects(queue.taskDone(), /was closed/);
    await assert.rejects(queue.join(), /was closed/);
  });

  test('destroy() deletes the queue for every client: a new one of the name starts empty and open', async () => {
    const name = uniqueName();
    const first = new RedisQueue<number>(name, { redis: server.url });
    await first.put(1);
    await first.shutdown();
    await first.destroy();
    await assert.rejects(first.put(2), /was closed/);
    const again = new RedisQueue<number>(name, { redis: server.url });
    try {
      assert.equal(await again.qsize(), 0);
      await again.put(3);
      assert.equal(await again.get(), 3);
      await again.taskDone();
    } finally {
      await again.destroy();
    }
  });
});
