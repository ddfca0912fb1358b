// The executor contract, lifecycle: shutdown (wait, nowait, cancelFutures), `await using`,
// worker replacement (maxTasksPerWorker, idleTimeout), and a program that never hangs at exit
// because of a pool. Ported in our own words from CPython's test_concurrent_futures
// (test_shutdown.py, test_thread_pool.py, test_process_pool.py).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RuntimeError } from '../../src/index.js';
import { childLimit } from '../support/child-budget.js';
import {
  collect,
  type ExecutorImpl,
  executorHarness,
  range,
  SUITE,
  take,
  pollUntil as until,
} from '../support/executor-harness.js';

const ROOT = new URL('../..', import.meta.url);

/**
 * Runs an ES module program (TypeScript allowed; `@/` in an import stands for the repository)
 * in a fresh Node. From a file, not `-e`: a process pool's children inherit the parent's
 * Node flags, and `--input-type` refuses to load their entry file.
 */
async function runProgram(
  source: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  // A guard against a hang: the program starts a pool's workers, children of its own.
  const limit = await childLimit(60_000);
  const dir = await mkdtemp(join(tmpdir(), 'weft-program-'));
  const file = join(dir, 'program.mts');
  await writeFile(file, source.replaceAll("'@/", `'${ROOT.href}`));
  try {
    return await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', file],
        { cwd: fileURLToPath(ROOT), timeout: limit },
        (error, stdout, stderr) => {
          if (error?.killed)
            reject(new Error(`the program did not end within ${limit} ms:\n${stderr}`));
          else resolve({ stdout, stderr, code: error ? (error.code as number) : 0 });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function executorLifecycleContract(impl: ExecutorImpl): void {
  const t = impl.tasks;

  describe(`${impl.name}.shutdown`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test('shutdown() waits for every submitted task, then every worker has exited', async () => {
      const executor = pool({ maxWorkers: 3 });
      const futures = range(50).map((i) => executor.submit(t.sleepMs, 2, i));
      await executor.shutdown();
      assert.deepEqual(
        futures.map((future) => future.done()),
        futures.map(() => true),
      );
      assert.deepEqual(await Promise.all(futures), range(50));
      assert.equal(executor.workerCount, 0);
    });

    test('shutdown() waits for the running tasks; submits meanwhile throw RuntimeError', async () => {
      const executor = pool({ maxWorkers: 2 });
      const open = gate();
      const started = log();
      const futures = range(2).map((i) => executor.submit(t.startThenWait, started, open, i));
      await take(started, 2);
      const shutdown = executor.shutdown();
      assert.throws(() => executor.submit(t.mul, 1, 1), RuntimeError);
      open.set();
      await shutdown;
      assert.deepEqual(await Promise.all(futures), [0, 1]);
      assert.equal(executor.workerCount, 0);
    });

    test('submit and map after shutdown throw RuntimeError', async () => {
      const executor = pool({ maxWorkers: 1 });
      await executor.shutdown();
      assert.throws(() => executor.submit(t.pow, 2, 5), RuntimeError);
      assert.throws(() => executor.map(t.identity, [1]), RuntimeError);
    });

    test('cancelFutures cancels what has not started; what started finishes', async () => {
      const executor = pool({ maxWorkers: 2 });
      const futures = range(50).map(() => executor.submit(t.busyMs, 20));
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

    test('cancelFutures cancels the queued tasks at the call; the running one completes', async () => {
      const executor = pool({ maxWorkers: 1 });
      const open = gate();
      const started = log();
      const running = executor.submit(t.startThenWait, started, open, 'ran');
      await take(started);
      const queued = range(5).map((i) => executor.submit(t.mul, i, 1));
      const shutdown = executor.shutdown({ cancelFutures: true });
      assert.ok(queued.every((future) => future.cancelled()));
      open.set();
      await shutdown;
      assert.equal(await running.result(), 'ran');
    });

    test('a task cancelled right before shutdown does not make it hang', async () => {
      const executor = pool({ maxWorkers: 1 });
      assert.equal(await executor.submit(t.mul, 2, 2), 4);
      executor.submit(t.mul, 3, 3).cancel();
      await executor.shutdown();
      assert.equal(executor.workerCount, 0);
    });

    test('shutdown({ wait: false }) resolves at once; the submitted tasks still finish', async () => {
      const executor = pool({ maxWorkers: 2 });
      const open = gate();
      const futures = [
        executor.submit(t.waitForGate, open, 'a'),
        executor.submit(t.waitForGate, open, 'b'),
      ];
      await executor.shutdown({ wait: false });
      assert.equal(futures[0]!.done(), false, 'shutdown did not wait for the tasks');
      open.set();
      assert.deepEqual(await Promise.all(futures), ['a', 'b']);
      await executor.shutdown();
      assert.equal(executor.workerCount, 0);
    });

    test('workers that ran tasks exit at shutdown; calling it again is harmless', async () => {
      const executor = pool({ maxWorkers: 5 });
      const open = gate();
      const futures = [1, 2, 3].map(() => executor.submit(t.waitForGate, open));
      assert.equal(executor.workerCount, 3);
      open.set();
      await executor.shutdown();
      await executor.shutdown();
      await executor.shutdown({ wait: false, cancelFutures: true });
      assert.equal(executor.workerCount, 0);
      await Promise.all(futures);
    });

    test('`await using` shuts the executor down at the end of the block', async () => {
      let kept: ReturnType<typeof impl.create> | undefined;
      {
        await using executor = impl.create({ maxWorkers: 5 });
        kept = executor;
        assert.deepEqual(await collect(executor.map(t.square, [-2, -1, 0, 1, 2])), [4, 1, 0, 1, 4]);
        assert.equal(await executor.submit(t.mul, 3, 4), 12);
      }
      assert.equal(kept.workerCount, 0);
      assert.throws(
        () => kept.submit(t.mul, 1, 1),
        (error: Error) => error instanceof RuntimeError && /after shutdown/.test(error.message),
      );
    });

    test('shutdown options are checked', async () => {
      const executor = pool({ maxWorkers: 1 });
      await assert.rejects(executor.shutdown({ wait: 'yes' as unknown as boolean }), TypeError);
    });
  });

  describe(`${impl.name}: worker replacement`, SUITE, () => {
    const { pool } = executorHarness(impl);

    test('maxTasksPerWorker replaces a worker after that many tasks', async () => {
      const executor = pool({ maxWorkers: 1, maxTasksPerWorker: 2 });
      const workers = await Promise.all(range(6).map(() => executor.submit(t.workerId)));
      const perWorker = new Map<string, number>();
      for (const id of workers) perWorker.set(id, (perWorker.get(id) ?? 0) + 1);
      assert.deepEqual([...perWorker.values()], [2, 2, 2]);
      assert.ok(executor.workerCount <= 1);
    });

    test('idleTimeout lets an idle worker exit; the next task starts a new one', async () => {
      const executor = pool({ maxWorkers: 2, idleTimeout: 10 });
      const first = await executor.submit(t.workerId);
      await until(() => executor.workerCount === 0, 'the idle worker exited');
      assert.notEqual(await executor.submit(t.workerId), first);
    });
  });

  describe(`${impl.name}: the program never hangs at exit because of a pool`, SUITE, () => {
    const PROLOGUE = `
      import { ${impl.name} as Pool } from '@/src/index.ts';
      import { printAfter, mul } from '@/test/fixtures/executor-tasks.ts';
    `;

    test('an idle pool that was never shut down lets the program exit', async () => {
      const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
        const executor = new Pool({ maxWorkers: 2 });
        console.log(await executor.submit(mul, 6, 7));
      `);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout, '42\n');
    });

    test('tasks cancelled while queued do not keep the program alive', async () => {
      const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
        const executor = new Pool({ maxWorkers: 1 });
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
        const executor = new Pool({ maxWorkers: 5 });
        executor.submit(printAfter, 100, 'apple');
      `);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout.trim(), 'apple');
    });

    test('shutdown({ wait: false }) with a running task: it finishes and the program exits', async () => {
      const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
        const executor = new Pool({ maxWorkers: 3 });
        executor.submit(printAfter, 100, 'apple');
        await executor.shutdown({ wait: false });
      `);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout.trim(), 'apple');
    });

    test('shutdown({ wait: false, cancelFutures: true }) exits cleanly, whether the task ran or not', async () => {
      const { stdout, stderr, code } = await runProgram(`${PROLOGUE}
        const executor = new Pool();
        executor.submit(printAfter, 100, 'apple');
        await executor.shutdown({ wait: false, cancelFutures: true });
      `);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.ok(['apple', ''].includes(stdout.trim()), `printed ${JSON.stringify(stdout)}`);
    });
  });
}
