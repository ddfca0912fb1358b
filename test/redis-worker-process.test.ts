// Workers in processes of their own: `weft worker` runs tasks and exits cleanly on SIGTERM
// with its in-flight tasks finished; a worker killed with SIGKILL mid-task leaves the task to
// another worker once its lease runs out, and the task completes once; a worker paused
// (SIGSTOP) past its lease finds the task taken over, and its outcome is refused.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import * as t from './fixtures/redis-tasks.js';
import { linesOf, redisExecutorHarness, TASKS_PATH, until } from './support/redis-executors.js';

const FILE = { timeout: 180_000 };
const WEFT = fileURLToPath(new URL('../src/cli/weft.ts', import.meta.url));
const h = redisExecutorHarness();
const children = new Set<ChildProcess>();

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** `weft worker` arguments for `queue` on the file's server with the task module, then `more`. */
function workerArgs(queue: string, ...more: string[]): string[] {
  return ['--redis', h.url, '--queue', queue, '--module', TASKS_PATH, ...more];
}

/** `weft worker …` in a child process; resolves once it says it runs (its stderr so far in `log`). */
async function weftWorker(args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WEFT, 'worker', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stdout!.resume();
  await until(() => /: queue /.test(log) || child.exitCode !== null, 'the worker said it runs');
  assert.equal(child.exitCode, null, `the worker exited: ${log}`);
  return { child, log: () => log };
}

describe('weft worker', FILE, () => {
  test('runs tasks, and on SIGTERM finishes its in-flight task and exits with code 0', async () => {
    const queue = h.queue();
    const { child, log } = await weftWorker(workerArgs(queue, '--concurrency', '2'));
    const executor = h.executor(queue);
    assert.equal(await executor.submit(t.add, 2, 3), 5);
    assert.notEqual(await executor.submit(t.pid), process.pid);
    const path = h.file('sigterm');
    const future = executor.submit(t.slow, path, 500);
    await until(() => linesOf(path).includes('start'), 'the task started');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.equal(signal, null, log());
    assert.equal(code, 0, log());
    assert.equal(await future, 500, 'the in-flight task finished');
    assert.deepEqual(linesOf(path), ['start', 'end']);
    assert.match(log(), /SIGTERM, closing \(tasks running: 1\)/);
    assert.match(log(), /closed/);
  });

  test('usage mistakes exit with code 2 and say what to do', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WEFT, 'worker', '--queue', 'q'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(log, /no --module given/);
    assert.match(log, /weft worker --queue q --module/);
  });
});

describe('a worker process killed mid-task', FILE, () => {
  test('its task is taken over by another worker after the visibility timeout and completes once', async () => {
    const queue = h.queue();
    const visibilityTimeout = 500;
    const { child } = await weftWorker(
      workerArgs(queue, '--visibility-timeout', String(visibilityTimeout)),
    );
    const executor = h.executor(queue);
    const path = h.file('sigkill');
    const future = executor.submit(t.slow, path, 300);
    await until(() => linesOf(path).includes('start'), 'the task started');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    await h.worker(queue, { visibilityTimeout });
    assert.equal(await future, 300);
    assert.deepEqual(linesOf(path), ['start', 'start', 'end'], 'ran again, completed once');
  });
});

describe('a worker process paused past its lease', FILE, () => {
  test('another worker completes the task; the paused one, woken, writes nothing and the future settles with the second result', async () => {
    const queue = h.queue();
    const visibilityTimeout = 500;
    const { child, log } = await weftWorker(
      workerArgs(queue, '--visibility-timeout', String(visibilityTimeout)),
    );
    const executor = h.executor(queue);
    const path = h.file('sigstop');
    const future = executor.submit(t.pidAfter, path, 1_000);
    await until(() => linesOf(path).includes(`start ${child.pid}`), 'the task started');
    child.kill('SIGSTOP'); // no renewal from now on: the lease runs out while it sleeps
    await h.worker(queue, { visibilityTimeout });
    assert.equal(await future, process.pid, 'the second worker result');
    assert.deepEqual(linesOf(path), [
      `start ${child.pid}`,
      `start ${process.pid}`,
      `end ${process.pid}`,
    ]);

    // Woken, the first worker ends the task and tries to write its outcome; SIGTERM then
    // closes it once every outcome it wrote was answered.
    child.kill('SIGCONT');
    await until(
      () => linesOf(path).includes(`end ${child.pid}`),
      'the paused worker ended the task',
    );
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], log());
    const raw = new Redis(h.url);
    try {
      const prefix = `weft:{executor:${queue}}`;
      const lists = await raw.keys(`${prefix}:results:*`);
      const waiting = await Promise.all(lists.map((list) => raw.llen(list)));
      assert.deepEqual(
        waiting,
        lists.map(() => 0),
        'the paused worker outcome was refused',
      );
      assert.equal(await raw.xlen(`${prefix}:stream`), 0);
      assert.equal(await raw.hlen(`${prefix}:dead`), 0);
    } finally {
      raw.disconnect();
    }
  });
});
