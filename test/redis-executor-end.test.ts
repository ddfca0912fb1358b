// RedisExecutor's immediate end, `shutdown({ wait: false, cancelFutures: true })` (Python's
// `shutdown(wait=False, cancel_futures=True)`), in a process of its own that must then exit by
// itself: every outstanding future rejects with CancelledError, the queued tasks leave Redis
// (never run) and a running one is aborted on its worker; with Redis gone, the end does not
// wait for it — no timer, socket or reconnection keeps the process alive.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { linesOf, redisExecutorHarness, until } from './support/redis-executors.js';
import { skipUnlessOwnServer } from './support/redis-server.js';

const FILE = { timeout: 180_000 };
const END = fileURLToPath(new URL('./fixtures/redis-executor-end.ts', import.meta.url));
/** How long the child may take to exit once it ended its executor (it exits at once when nothing holds it). */
const EXIT_PATIENCE_MS = 60_000;
const QUEUED = 20;

const h = redisExecutorHarness();
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts the fixture on `queue`; resolves once its tasks are in Redis. */
async function startEnding(queue: string, slowPath: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', END, h.url, queue, slowPath, String(QUEUED)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.add(child);
  const exited = once(child, 'exit');
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await until(() => output.includes('written') || child.exitCode !== null, 'the tasks written');
  assert.equal(child.exitCode, null, `the child exited early: ${output}`);
  return {
    /** Ends its executor; resolves with its report once it exited by itself. */
    async end(): Promise<{ output: string; code: number | null }> {
      child.stdin!.write('end\n');
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), EXIT_PATIENCE_MS);
      });
      try {
        const how = await Promise.race([exited, gaveUp]);
        assert.notEqual(how, 'timeout', `the child did not exit by itself: ${output}`);
      } finally {
        clearTimeout(timer);
        children.delete(child);
        child.kill('SIGKILL');
      }
      return { output, code: child.exitCode };
    },
  };
}

describe('RedisExecutor.shutdown({ wait: false, cancelFutures: true })', FILE, () => {
  test('rejects every future with CancelledError, removes the queued tasks, aborts the running one; the process exits', async () => {
    const queue = h.queue();
    await h.worker(queue, { concurrency: 1 });
    const slowPath = h.file('slow');
    const ending = await startEnding(queue, slowPath);
    await until(() => linesOf(slowPath).includes('start'), 'the slow task started');
    const { output, code } = await ending.end();
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`cancelled ${QUEUED + 2}\\n`));
    await until(() => linesOf(slowPath).includes('aborted'), 'the worker aborted the slow task');
    const raw = new Redis(h.url);
    try {
      await until(
        async () => (await raw.xlen(`weft:{executor:${queue}}:stream`)) === 0,
        'nothing left in the queue',
      );
    } finally {
      raw.disconnect();
    }
    assert.deepEqual(linesOf(slowPath), ['start', 'aborted'], 'no queued task ran');
  });

  test('with Redis gone, the futures reject all the same and the process exits', {
    skip: skipUnlessOwnServer(),
  }, async () => {
    const queue = h.queue();
    const ending = await startEnding(queue, h.file('unrun'));
    await h.server.kill();
    try {
      const { output, code } = await ending.end();
      assert.equal(code, 0, output);
      assert.match(output, new RegExp(`cancelled ${QUEUED + 2}\\n`));
    } finally {
      await h.server.restart();
    }
  });
});
