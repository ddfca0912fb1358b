// RedisQueue's at-least-once delivery: an item whose consumer dies goes to another consumer
// once its lease runs out; a consumer whose lease was taken over cannot complete the item
// (LeaseLostError) and the new holder completes it once; consumers killed with SIGKILL in a
// loop lose no item and complete none twice; items held at close() go back at once.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { LeaseLostError, RedisQueue } from '../src/redis/index.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

const VISIBILITY_MS = 300;
const CONSUMER = fileURLToPath(new URL('./fixtures/redis-queue-consumer.ts', import.meta.url));

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(() => server.stop());

let count = 0;
const uniqueName = () => `leases-${++count}-${process.pid}`;

/** A consumer whose connection the test can cut, as if its process had died. */
function mortalConsumer<T>(name: string): { queue: RedisQueue<T>; client: Redis } {
  const client = new Redis(server.url);
  client.on('error', () => {});
  return {
    queue: new RedisQueue<T>(name, { redis: client, visibilityTimeout: VISIBILITY_MS }),
    client,
  };
}

describe('RedisQueue leases', { timeout: 120_000 }, () => {
  test('an item whose consumer died goes to another consumer after the visibility timeout', async () => {
    const name = uniqueName();
    const producer = new RedisQueue<string>(name, { redis: server.url });
    const dying = mortalConsumer<string>(name);
    const survivor = new RedisQueue<string>(name, {
      redis: server.url,
      visibilityTimeout: VISIBILITY_MS,
    });
    try {
      await producer.put('job');
      assert.equal(await dying.queue.get(), 'job');
      const diedAt = performance.now();
      dying.client.disconnect(); // no renewal from now on, and never an acknowledgement
      assert.equal(await survivor.get({ timeout: 60_000 }), 'job');
      assert.ok(
        performance.now() - diedAt >= VISIBILITY_MS - 20,
        'the item stays leased to its consumer until the lease runs out',
      );
      await survivor.taskDone();
      assert.equal(await producer.join({ timeout: 0 }), true);
    } finally {
      await Promise.all([producer.close(), survivor.close(), dying.queue.close()]);
      dying.client.disconnect();
    }
  });

  test('a live consumer keeps its item past the visibility timeout (renewed every third)', async () => {
    const name = uniqueName();
    const holder = new RedisQueue<string>(name, {
      redis: server.url,
      visibilityTimeout: VISIBILITY_MS,
    });
    const other = new RedisQueue<string>(name, {
      redis: server.url,
      visibilityTimeout: VISIBILITY_MS,
    });
    try {
      await holder.put('kept');
      assert.equal(await holder.get(), 'kept');
      await assert.rejects(other.get({ timeout: 4 * VISIBILITY_MS }), { name: 'QueueEmpty' });
      await holder.taskDone();
      assert.equal(await other.join({ timeout: 0 }), true);
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });

  test('a consumer whose lease was taken over gets LeaseLostError; the new holder completes it once', async () => {
    const name = uniqueName();
    const slow = mortalConsumer<string>(name);
    const fast = new RedisQueue<string>(name, {
      redis: server.url,
      visibilityTimeout: VISIBILITY_MS,
    });
    try {
      await fast.put('contested');
      assert.equal(await slow.queue.get(), 'contested');
      // Cut the slow consumer off long enough for its lease to run out and be taken over.
      slow.client.disconnect();
      assert.equal(await fast.get({ timeout: 60_000 }), 'contested');
      await slow.client.connect();
      await assert.rejects(slow.queue.taskDone(), LeaseLostError);
      assert.equal(await fast.join({ timeout: 0 }), false, 'the item is not done yet');
      await fast.taskDone();
      assert.equal(await fast.join({ timeout: 0 }), true);
      await assert.rejects(slow.queue.taskDone(), { name: 'RuntimeError' });
    } finally {
      await Promise.all([slow.queue.close(), fast.close()]);
      slow.client.disconnect();
    }
  });

  test('items got and not acknowledged go back at close(), first in line', async () => {
    const name = uniqueName();
    const first = new RedisQueue<number>(name, { redis: server.url });
    const second = new RedisQueue<number>(name, { redis: server.url });
    try {
      for (const item of [1, 2, 3]) await first.put(item);
      assert.equal(await first.get(), 1);
      assert.equal(await first.get(), 2);
      await first.close();
      assert.equal(await second.qsize(), 3);
      // The default lease is 30 s: these come back at once because close() gave them back.
      assert.deepEqual([await second.get(), await second.get(), await second.get()], [1, 2, 3]);
      for (let i = 0; i < 3; i++) await second.taskDone();
      assert.equal(await second.join({ timeout: 0 }), true);
      await assert.rejects(first.get(), /was closed/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('join() in another client returns once the consumers acknowledged every item', async () => {
    const name = uniqueName();
    const producer = new RedisQueue<number>(name, { redis: server.url });
    const consumer = new RedisQueue<number>(name, { redis: server.url });
    try {
      for (let i = 0; i < 20; i++) await producer.put(i);
      let acknowledged = 0;
      const joined = producer.join().then((value) => ({ value, acknowledged }));
      for (let i = 0; i < 20; i++) {
        await consumer.get();
        await consumer.taskDone();
        acknowledged++;
      }
      assert.deepEqual(await joined, { value: true, acknowledged: 20 });
    } finally {
      await Promise.all([producer.close(), consumer.close()]);
    }
  });

  test('consumer processes killed with SIGKILL lose no item and complete none twice', async () => {
    const name = uniqueName();
    const items = 200;
    const queue = new RedisQueue<number>(name, {
      redis: server.url,
      visibilityTimeout: VISIBILITY_MS,
    });
    const done = new Map<number, number>();
    const children = new Set<ChildProcess>();
    try {
      for (let i = 0; i < items; i++) await queue.put(i);
      let kills = 0;
      for (let round = 0; round < 4 && (await queue.qsize()) > 0; round++) {
        const child = startConsumer(name, done);
        children.add(child);
        await child.ready;
        // Let it work a little, then kill it mid-stream.
        await until(() => done.size >= (round + 1) * 15 || child.exitCode !== null);
        child.kill('SIGKILL');
        await once(child, 'exit');
        children.delete(child);
        kills++;
      }
      // A last consumer finishes the rest, including the items the killed ones held.
      const last = startConsumer(name, done);
      children.add(last);
      await last.ready;
      assert.equal(await queue.join({ timeout: 120_000 }), true);
      await queue.shutdown();
      await once(last, 'exit');
      children.delete(last);
      const twice = [...done].filter(([, times]) => times > 1);
      assert.deepEqual(twice, [], 'no item may be completed twice');
      // An item a consumer acknowledged just before its kill was never reported: at most one per kill.
      assert.ok(
        done.size >= items - kills,
        `${items - done.size} items unreported after ${kills} kills`,
      );
      for (const item of done.keys()) assert.ok(item >= 0 && item < items);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await queue.close();
    }
  });
});

interface Consumer extends ChildProcess {
  ready: Promise<void>;
}

/** Starts a consumer process that records each item it completes in `done`. */
function startConsumer(name: string, done: Map<number, number>): Consumer {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CONSUMER, server.url, name, String(VISIBILITY_MS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  ) as Consumer;
  const lines = createInterface({ input: child.stdout! });
  child.ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the consumer exited with ${code} before it was ready`)),
    );
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
      const [what, item] = line.split(' ');
      if (what === 'done') done.set(Number(item), (done.get(Number(item)) ?? 0) + 1);
    });
  });
  child.ready.catch(() => {});
  return child;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
