// RedisExecutor and RedisWorker in this process: cancelling queued and running tasks, task
// timeouts, the worker's graceful close, its heartbeat key, and the thread and process modes.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { CancelledError, TimeoutError } from '../src/index.js';
import * as t from './fixtures/redis-tasks.js';
import { linesOf, redisExecutorHarness, until } from './support/redis-executors.js';

const FILE = { timeout: 180_000 };
const h = redisExecutorHarness();

describe('RedisExecutor: cancelling', FILE, () => {
  test('a queued task cancelled by its signal never runs; the future rejects with CancelledError', async () => {
    const queue = h.queue();
    const executor = h.executor(queue);
    const path = h.file('queued');
    const controller = new AbortController();
    const future = executor.submitWith({ signal: controller.signal }, t.mark, path, 'cancelled');
    const redis = new Redis(h.url);
    try {
      const stream = `weft:{executor:${queue}}:stream`;
      await until(async () => (await redis.xlen(stream)) === 1, 'the submit was written');
      controller.abort();
      await until(async () => (await redis.xlen(stream)) === 0, 'the cancel removed it');
    } finally {
      redis.disconnect();
    }
    await assert.rejects(future.result(), CancelledError);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'no listener left');
    const cancelled = executor.submit(t.mark, path, 'also cancelled');
    assert.equal(cancelled.cancel(), true);
    assert.equal(cancelled.cancelled(), true);
    await h.worker(queue);
    assert.equal(await executor.submit(t.mark, path, 'ran'), 'ran');
    assert.deepEqual(linesOf(path), ['ran'], 'the cancelled tasks never ran');
  });

  test('an aborted signal given to submitWith rejects at once and submits nothing', async () => {
    const queue = h.queue();
    const executor = h.executor(queue);
    const future = executor.submitWith({ signal: AbortSignal.abort() }, t.noop);
    await assert.rejects(future.result(), CancelledError);
    assert.equal(executor.outstanding, 0);
  });

  test('a running task gets its abort on the worker, and the future rejects with CancelledError', async () => {
    const queue = h.queue();
    const worker = await h.worker(queue);
    const executor = h.executor(queue);
    const path = h.file('running');
    const controller = new AbortController();
    const future = executor.submitWith({ signal: controller.signal }, t.slow, path, 60_000);
    await until(() => linesOf(path).includes('start'), 'the task started');
    controller.abort(new Error('enough'));
    await assert.rejects(future.result(), (error: Error) => {
      assert.ok(error instanceof CancelledError);
      assert.equal((error.cause as Error).message, 'enough');
      return true;
    });
    await until(() => linesOf(path).includes('aborted'), 'the worker aborted the task');
    await until(() => worker.running === 0, 'the worker is free again');
    assert.equal(await executor.submit(t.add, 1, 2), 3, 'and runs the next task');
  });

  test('map: aborting its signal cancels the outstanding tasks and throws the reason', async () => {
    const queue = h.queue();
    await h.worker(queue, { concurrency: 1 });
    const executor = h.executor(queue);
    const path = h.file('map');
    const controller = new AbortController();
    const item = { path, ms: 60_000 };
    const results = executor.map(t.slowItem, [item, item, item], { signal: controller.signal });
    const reading = results.next();
    await until(() => linesOf(path).includes('start'), 'the first task started');
    controller.abort(new Error('stop the map'));
    await assert.rejects(reading, /stop the map/);
    await until(() => executor.outstanding === 0, 'nothing is outstanding');
  });
});

describe('RedisExecutor: timeouts', FILE, () => {
  test('a task running longer than its timeout fails with TimeoutError and is stopped', async () => {
    const queue = h.queue();
    const worker = await h.worker(queue);
    const executor = h.executor(queue);
    const path = h.file('timeout');
    await assert.rejects(
      executor.submitWith({ timeout: 100 }, t.slow, path, 60_000).result(),
      (error: Error) => error instanceof TimeoutError && /timeout of 100 ms/.test(error.message),
    );
    await until(() => linesOf(path).includes('aborted'), 'the task saw its kill');
    await until(() => worker.running === 0, 'the worker is free again');
    assert.equal(await executor.submitWith({ timeout: 60_000 }, t.add, 2, 2), 4);
  });
});

describe('RedisWorker: close and heartbeat', FILE, () => {
  test('close lets running tasks finish, then removes its heartbeat key', async () => {
    const queue = h.queue();
    const worker = await h.worker(queue, { heartbeatInterval: 100 });
    const executor = h.executor(queue);
    const path = h.file('close');
    const futures = [executor.submit(t.slow, path, 300), executor.submit(t.slow, path, 300)];
    await until(
      () => linesOf(path).filter((line) => line === 'start').length === 2,
      'both started',
    );
    const redis = new Redis(h.url);
    try {
      const key = `weft:{executor:${queue}}:worker:${worker.id}`;
      await until(
        async () => (await redis.hget(key, 'current'))?.includes('slow') === true,
        'the heartbeat shows them',
      );
      const beat = await redis.hgetall(key);
      assert.equal(beat.id, worker.id);
      assert.equal(beat.mode, 'tasks');
      assert.equal(beat.concurrency, '4');
      assert.equal(beat.state, 'running');
      assert.equal(JSON.parse(beat.current!).length, 2);
      assert.ok(Number(await redis.pttl(key)) > 0, 'the key expires when beats stop');
      assert.deepEqual(await redis.smembers(`weft:{executor:${queue}}:workers`), [worker.id]);
      await worker.close({ timeout: 60_000 });
      assert.deepEqual(await Promise.all(futures), [300, 300], 'finished before the close ended');
      assert.deepEqual(
        linesOf(path).filter((line) => line === 'end'),
        ['end', 'end'],
      );
      assert.equal(await redis.exists(key), 0);
      assert.deepEqual(await redis.smembers(`weft:{executor:${queue}}:workers`), []);
    } finally {
      redis.disconnect();
    }
  });

  test('a task still running when the close times out goes back to the queue and another worker runs it', async () => {
    const queue = h.queue();
    const first = await h.worker(queue);
    const executor = h.executor(queue);
    const path = h.file('given-back');
    const future = executor.submit(t.slow, path, 500);
    await until(() => linesOf(path).includes('start'), 'the task started');
    await first.close({ timeout: 10 });
    assert.deepEqual(linesOf(path), ['start', 'aborted']);
    await h.worker(queue);
    assert.equal(await future, 500);
    assert.deepEqual(linesOf(path), ['start', 'aborted', 'start', 'end']);
  });

  test('bad options and a second start are refused', async () => {
    const queue = h.queue();
    await assert.rejects(h.worker(queue, { concurrency: 0 }), RangeError);
    await assert.rejects(h.worker(queue, { mode: 'fibers' as never }), /tasks, threads, processes/);
    await assert.rejects(h.worker(queue, { visibilityTimeout: -5 }), RangeError);
    await assert.rejects(h.worker(queue, { colour: 'red' } as never), /unknown option "colour"/);
    const worker = await h.worker(queue);
    await assert.rejects(worker.start(), /started already/);
    await assert.rejects(worker.close({ timeout: -1 }), RangeError);
  });
});

describe('RedisWorker: modes', FILE, () => {
  test("mode 'threads' runs tasks in a thread pool", async () => {
    const queue = h.queue();
    await h.worker(queue, { mode: 'threads', concurrency: 2 });
    const executor = h.executor(queue);
    assert.equal(await executor.submit(t.add, 20, 22), 42);
    assert.equal(await executor.submit(t.pid), process.pid, 'a thread of this process');
    await assert.rejects(executor.submit(t.fail, 'in a thread').result(), { name: 'OrderError' });
  });

  test("mode 'processes' runs tasks in a process pool, with timeouts", async () => {
    const queue = h.queue();
    await h.worker(queue, { mode: 'processes', concurrency: 2 });
    const executor = h.executor(queue);
    assert.equal(await executor.submit(t.add, 1, 2), 3);
    assert.notEqual(await executor.submit(t.pid), process.pid, 'another process');
    await assert.rejects(
      executor.submitWith({ timeout: 200 }, t.sleepMs, 60_000).result(),
      TimeoutError,
    );
    assert.equal(await executor.submit(t.add, 2, 2), 4, 'the pool replaced the process it stopped');
  });
});
