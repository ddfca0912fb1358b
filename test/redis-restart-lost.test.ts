// A Redis SIGKILLed and restarted keeping nothing on disk comes back empty: the executor
// notices (the queue's epoch key is gone) and rejects the future of every task Redis had
// taken — waiting, running, waiting for a retry — with TaskLostError, at the reconnection,
// without waiting for another submit. Tasks submitted while Redis was down, and after, run.
// A RedisQueue notices the same way: a join waiting for items the restart lost rejects with
// QueueStateLostError instead of resolving on the empty server; later joins count anew.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { LeaseLostError, QueueStateLostError, TaskLostError } from '../src/redis/index.js';
import * as t from './fixtures/redis-tasks.js';
import { linesOf, redisExecutorHarness, until } from './support/redis-executors.js';
import { skipUnlessOwnServer } from './support/redis-server.js';

const FILE = { timeout: 180_000, skip: skipUnlessOwnServer() };
/** Long enough for a worker's lease to outlast the restart on a loaded machine. */
const PATIENCE_MS = 60_000;

const h = redisExecutorHarness();

/** Asserts `future` rejects with a TaskLostError that says what happened and what keeps tasks. */
async function rejectsLost(future: { result(): Promise<unknown> }, what: string): Promise<void> {
  await assert.rejects(
    future.result(),
    (error: Error) => {
      assert.ok(error instanceof TaskLostError, `${what}: ${error}`);
      assert.match(error.message, /was lost: Redis restarted without persistence/);
      assert.match(error.message, /`appendonly yes`/);
      return true;
    },
    what,
  );
}

describe('RedisExecutor across a Redis restart without persistence', FILE, () => {
  test('running, queued and retrying tasks reject with TaskLostError; tasks submitted while down and after run', async () => {
    const queue = h.queue();
    const executor = h.executor(queue);
    // One task at a time, and busy with the slow task until the end of the test.
    await h.worker(queue, { concurrency: 1, visibilityTimeout: PATIENCE_MS });
    const retryPath = h.file('retry');
    // Fails once, then waits a minute for its retry: in the delayed set when Redis goes.
    const retrying = executor.submitWith(
      { retries: 1, backoff: PATIENCE_MS },
      t.flaky,
      retryPath,
      2,
    );
    await until(() => linesOf(retryPath).length === 1, 'the first attempt failed');
    await until(async () => (await count(queue, 'delayed')) === 1, 'the retry waits');
    const runningPath = h.file('running');
    const running = executor.submit(t.slow, runningPath, PATIENCE_MS);
    await until(() => linesOf(runningPath).includes('start'), 'the slow task started');
    const queuedPath = h.file('queued');
    const queued = executor.submit(t.mark, queuedPath, 'queued'); // behind it
    await until(async () => (await count(queue, 'stream')) === 2, 'the queued task was written');

    await h.server.kill();
    const downPath = h.file('down');
    const submittedWhileDown = executor.submit(t.mark, downPath, 'down');
    await h.server.restart();

    await rejectsLost(running, 'the running task');
    await rejectsLost(queued, 'the queued task');
    await rejectsLost(retrying, 'the retrying task');
    await h.worker(queue, { concurrency: 1 }); // the first is still busy with the slow task
    assert.equal(await submittedWhileDown, 'down');
    const afterPath = h.file('after');
    assert.equal(await executor.submit(t.mark, afterPath, 'after'), 'after');
    assert.deepEqual(linesOf(downPath), ['down']);
    assert.deepEqual(linesOf(afterPath), ['after']);
    assert.deepEqual(linesOf(queuedPath), [], 'the lost task never ran');
    assert.equal(executor.outstanding, 0);
  });

  test('with nothing submitted after the restart, the reconnection rejects the lost futures', async () => {
    const queue = h.queue();
    const executor = h.executor(queue);
    const paths = [0, 1, 2].map((i) => h.file(`waiting-${i}`));
    const futures = paths.map((path) => executor.submit(t.mark, path, 'ran'));
    await until(async () => (await count(queue, 'stream')) === 3, 'the tasks were written');
    await h.server.kill();
    await h.server.restart();
    for (const future of futures) await rejectsLost(future, 'a waiting task');
    assert.equal(executor.outstanding, 0);
    await executor.shutdown(); // nothing outstanding: it does not wait for the lost tasks
  });
});

/** Asserts `join` rejects with a QueueStateLostError that says what happened and what keeps items. */
function rejectsStateLost(join: Promise<boolean>, what: string): Promise<void> {
  return assert.rejects(
    join,
    (error: Error) => {
      assert.ok(error instanceof QueueStateLostError, `${what}: ${error}`);
      assert.match(error.message, /items put before Redis lost the queue were lost/);
      assert.match(error.message, /Redis restarted without persistence/);
      assert.match(error.message, /`appendonly yes` in redis\.conf keeps them/);
      return true;
    },
    what,
  );
}

describe('RedisQueue across a Redis restart without persistence', FILE, () => {
  test('joins waiting across the restart reject with QueueStateLostError, in the client that put and in one that only joins', async () => {
    const [producer, consumer, watcher] = h.redisQueues<string>(3);
    await producer.put('got');
    await producer.put('waiting');
    assert.equal(await consumer.get(), 'got');
    // The watcher has looked (and read the queue's epoch) before the kill.
    assert.equal(await watcher.join({ timeout: 0 }), false);
    // The checks hold the rejections from the start: they may come while Redis restarts.
    const producerJoin = rejectsStateLost(producer.join(), "the producer's join");
    const watcherJoin = rejectsStateLost(watcher.join(), "the watcher's join");
    await h.server.kill();
    await h.server.restart();
    await producerJoin;
    await watcherJoin;
    // The item got before the restart went with the server: its acknowledgement is refused.
    await assert.rejects(consumer.taskDone(), LeaseLostError);
    assert.equal(await watcher.join({ timeout: 0 }), true, 'the new server holds nothing');
  });

  test('a join made after the loss was noticed resolves once the items put since are done', async () => {
    const [producer, consumer] = h.redisQueues<string>(2);
    await producer.put('lost');
    const lostJoin = rejectsStateLost(producer.join(), 'the join across the restart');
    await h.server.kill();
    await h.server.restart();
    await lostJoin;

    await producer.put('new 1');
    await producer.put('new 2');
    const join = producer.join();
    assert.equal(await producer.join({ timeout: 0 }), false, 'two new items are unfinished');
    for (const expected of ['new 1', 'new 2']) {
      assert.equal(await consumer.get(), expected);
      await consumer.taskDone();
    }
    assert.equal(await join, true);
    assert.equal(await producer.join({ timeout: 0 }), true);
  });
});

/** The length of the queue's stream, or the size of its delayed set. */
async function count(queue: string, key: 'stream' | 'delayed'): Promise<number> {
  const raw = new Redis(h.url);
  raw.on('error', () => {});
  try {
    const name = `weft:{executor:${queue}}:${key}`;
    return key === 'stream' ? await raw.xlen(name) : await raw.zcard(name);
  } finally {
    raw.disconnect();
  }
}
