// A Redis SIGKILLed and restarted keeping nothing on disk comes back empty: the executor
// notices (the queue's epoch key is gone) and rejects the future of every task Redis had
// taken — waiting, running, waiting for a retry — with TaskLostError, at the reconnection,
// without waiting for another submit. Tasks submitted while Redis was down, and after, run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { TaskLostError } from '../src/redis/index.js';
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
