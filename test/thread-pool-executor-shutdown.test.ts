// ThreadPoolExecutor shutdown and lifecycle: wait, nowait, cancelFutures, `await using`,
// worker replacement (maxTasksPerWorker, idleTimeout), and a process that never hangs at exit
// because of a pool. Ported in our own words from CPython's test_concurrent_futures
// (test_shutdown.py, test_thread_pool.py).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ThreadPoolExecutor } from '../src/index.js';
import {
  busyMs,
  identity,
  mul,
  sleepMs,
  square,
  waitForGate,
  workerThreadId,
} from './fixtures/executor-tasks.js';
import {
  openGate as open,
  pool,
  sharedGate as shared,
  pollUntil as until,
} from './support/executor-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs an ES module program (TypeScript allowed, imports relative to the repository) in a fresh Node. */
function runProgram(
  source: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', source],
      { cwd: ROOT, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error?.killed) reject(new Error(`the program did not end within 20 s:\n${stderr}`));
        else resolve({ stdout, stderr, code: error ? (error.code as number) : 0 });
      },
    );
  });
}

const PROLOGUE = `
import { ThreadPoolExecutor } from './src/index.ts';
import { printAfter, mul } from './test/fixtures/executor-tasks.ts';
`;

describe('ThreadPoolExecutor.shutdown', () => {
  test('shutdown() waits for every submitted task, then every worker has exited', async () => {
    const executor = pool({ maxWorkers: 3 });
    const futures = Array.from({ length: 50 }, (_, i) => executor.submit(sleepMs, 2, i));
    await executor.shutdown();
    assert.deepEqual(
      futures.map((future) => future.done()),
      futures.map(() => true),
    );
    assert.deepEqual(
      await Promise.all(futures),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(executor.workerCount, 0);
  });

  test('cancelFutures cancels what has not started; what started finishes', async () => {
    const executor = pool({ maxWorkers: 2 });
    const futures = Array.from({ length: 50 }, () => executor.submit(busyMs, 20));
    await until(() => futures.some((future) => future.running()), 'a task runs');
    await executor.shutdown({ cancelFutures: true });
    const cancelled = futures.filter((future) => future.cancelled());
    const others = futures.filter((future) => !future.cancelled());
    assert.ok(cancelled.length > 20, `${cancelled.length} cancelled`);
    assert.ok(others.length > 0);
    for (const future of others) {
      assert.equal(future.done(), true);
      assert.equal(await future.exception(), undefined);
    }
  });

  test('a task cancelled right before shutdown does not make it hang', async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.equal(await executor.submit(mul, 2, 2), 4);
    executor.submit(mul, 3, 3).cancel();
    await executor.shutdown();
    assert.equal(executor.workerCount, 0);
  });

  test('shutdown({ wait: false }) resolves at once; the submitted tasks still finish', async () => {
    const executor = pool({ maxWorkers: 2 });
    const gate = shared();
    const futures = [
      executor.submit(waitForGate, gate, 'a'),
      executor.submit(waitForGate, gate, 'b'),
    ];
    await executor.shutdown({ wait: false });
    assert.equal(futures[0]!.done(), false, 'shutdown did not wait for the tasks');
    open(gate);
    assert.deepEqual(await Promise.all(futures), ['a', 'b']);
    await executor.shutdown();
    assert.equal(executor.workerCount, 0);
  });

  test('workers that ran tasks exit at shutdown; calling it again is harmless', async () => {
    const executor = pool({ maxWorkers: 5 });
    const gate = shared();
    const futures = [1, 2, 3].map(() => executor.submit(waitForGate, gate));
    assert.equal(executor.workerCount, 3);
    open(gate);
    await executor.shutdown();
    await executor.shutdown();
    await executor.shutdown({ wait: false, cancelFutures: true });
    assert.equal(executor.workerCount, 0);
    await Promise.all(futures);
  });

  test('`await using` shuts the executor down at the end of the block', async () => {
    let kept: ThreadPoolExecutor | undefined;
    {
      await using executor = new ThreadPoolExecutor({ maxWorkers: 5 });
      kept = executor;
      const values: number[] = [];
      for await (const value of executor.map(square, [-2, -1, 0, 1, 2])) values.push(value);
      assert.deepEqual(values, [4, 1, 0, 1, 4]);
    }
    assert.equal(kept.workerCount, 0);
    assert.throws(() => kept.submit(mul, 1, 1), /after shutdown/);
  });

  test('shutdown options are checked', async () => {
    const executor = pool({ maxWorkers: 1 });
    await assert.rejects(executor.shutdown({ wait: 'yes' as unknown as boolean }), TypeError);
  });
});

describe('ThreadPoolExecutor: worker replacement', () => {
  test('maxTasksPerWorker replaces a worker after that many tasks', async () => {
    const executor = pool({ maxWorkers: 1, maxTasksPerWorker: 2 });
    const threads = await Promise.all(
      Array.from({ length: 6 }, () => executor.submit(workerThreadId)),
    );
    const perThread = new Map<number, number>();
    for (const id of threads) perThread.set(id, (perThread.get(id) ?? 0) + 1);
    assert.deepEqual([...perThread.values()], [2, 2, 2]);
    assert.ok(executor.workerCount <= 1);
  });

  test('idleTimeout lets an idle worker exit; the next task starts a new one', async () => {
    const executor = pool({ maxWorkers: 2, idleTimeout: 10 });
    const first = await executor.submit(workerThreadId);
    await until(() => executor.workerCount === 0, 'the idle worker exited');
    assert.notEqual(await executor.submit(workerThreadId), first);
  });
});

describe('ThreadPoolExecutor: the process never hangs at exit because of a pool', () => {
  test('an idle pool that was never shut down lets the process exit', async () => {
    const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
      const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
      console.log(await executor.submit(mul, 6, 7));
    `);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout, '42\n');
  });

  test('tasks cancelled while queued do not keep the process alive', async () => {
    const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
      const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
      const first = executor.submit(printAfter, 50, 'first');
      const queued = [1, 2, 3].map((n) => executor.submit(mul, n, n));
      console.log(queued.map((future) => future.cancel()).join(' '));
      await first;
    `);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout, 'true true true\nfirst\n');
  });

  test('a task still running when the program ends finishes first, as in Python', async () => {
    const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
      const executor = new ThreadPoolExecutor({ maxWorkers: 5 });
      executor.submit(printAfter, 100, 'apple');
    `);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'apple');
  });

  test('shutdown({ wait: false }) with a running task: it finishes and the process exits', async () => {
    const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
      const executor = new ThreadPoolExecutor({ maxWorkers: 3 });
      executor.submit(printAfter, 100, 'apple');
      await executor.shutdown({ wait: false });
    `);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'apple');
  });

  test('shutdown({ wait: false, cancelFutures: true }) exits cleanly, whether the task ran or not', async () => {
    const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
      const executor = new ThreadPoolExecutor();
      executor.submit(printAfter, 100, 'apple');
      await executor.shutdown({ wait: false, cancelFutures: true });
    `);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.ok(['apple', ''].includes(stdout.trim()), `printed ${JSON.stringify(stdout)}`);
  });
});

describe('ThreadPoolExecutor: identity of values', () => {
  test('a task sees its argument as a copy and the caller keeps the original', async () => {
    const executor = pool({ maxWorkers: 1 });
    const value = { nested: { list: [1, 2, 3] } };
    const back = await executor.submit(identity, value);
    assert.deepEqual(back, value);
    assert.notEqual(back, value);
  });
});
