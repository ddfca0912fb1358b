// The executor contract, when workers die: only the task a worker was running fails, with
// WorkerCrashedError (exit code, cause); the tasks queued behind it on that worker run on its
// replacement, and nothing queued is lost. And initializers: Python marks the pool broken
// when one fails; so does weft.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pinPrefetchDepth } from '../../src/executor/dispatch.js';
import { BrokenExecutor, move, WorkerCrashedError } from '../../src/index.js';
import {
  type ExecutorImpl,
  executorHarness,
  range,
  SUITE,
  take,
  pollUntil as until,
} from '../support/executor-harness.js';

/** Checks a WorkerCrashedError with `exitCode`; for `assert.rejects`. */
export function crashed(exitCode: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WorkerCrashedError, `expected WorkerCrashedError, got ${error}`);
    assert.equal((error as { exitCode?: number }).exitCode, exitCode);
    return true;
  };
}

export function executorCrashContract(impl: ExecutorImpl): void {
  const t = impl.tasks;

  describe(`${impl.name}: a worker that dies fails only the task it ran`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test('process.exit() in a task: WorkerCrashedError with the exit code; the rest complete', async () => {
      const executor = pool({ maxWorkers: 1 });
      // Many small tasks first, so that the worker holds several tasks at once when one kills it.
      await Promise.all(range(500).map((i) => executor.submit(t.mul, i, 1)));
      const before = range(20).map((i) => executor.submit(t.mul, i, 2));
      const killer = executor.submit(t.exitWith, 7);
      const behind = range(20).map((i) => executor.submit(t.mul, i, 3));
      await assert.rejects(killer.result(), crashed(7));
      assert.match(((await killer.exception()) as Error).message, /exited with code 7/);
      assert.deepEqual(
        await Promise.all(before),
        range(20).map((i) => i * 2),
      );
      assert.deepEqual(
        await Promise.all(behind),
        range(20).map((i) => i * 3),
      );
    });

    test('an uncaught error at the top level of a worker fails its running task', async () => {
      const executor = pool({ maxWorkers: 1 });
      const future = executor.submit(t.throwUncaught, 'timer went off');
      const next = executor.submit(t.mul, 4, 4);
      await assert.rejects(future.result(), crashed(1));
      const error = (await future.exception()) as Error;
      if (impl.capabilities.crashCause) {
        assert.ok(error.cause instanceof Error);
        assert.equal((error.cause as Error).message, 'timer went off');
      } else {
        assert.equal(error.cause, undefined, 'the error stays in the worker (its stderr)');
      }
      assert.equal(await next, 16);
    });

    test('a worker that dies while idle fails no task; the next one runs on a new worker', async () => {
      const executor = pool({ maxWorkers: 1 });
      const first = await executor.submit(t.workerId);
      assert.equal(await executor.submit(t.throwLater, 10), 'returned');
      await until(() => executor.workerCount === 0, 'the worker died');
      assert.notEqual(await executor.submit(t.workerId), first);
    });

    test('crashes on two workers at once leave every other task intact', async () => {
      const executor = pool({ maxWorkers: 2 });
      const kills = new Set([50, 51, 150]);
      const futures = range(200).map((i) =>
        kills.has(i) ? executor.submit(t.exitWith, 4) : executor.submit(t.mul, i, 1),
      );
      const outcomes = await Promise.allSettled(futures);
      outcomes.forEach((outcome, i) => {
        if (kills.has(i)) {
          assert.equal(outcome.status, 'rejected', `task ${i}`);
          assert.ok((outcome as PromiseRejectedResult).reason instanceof WorkerCrashedError);
        } else assert.deepEqual(outcome, { status: 'fulfilled', value: i });
      });
    });

    test('a moved buffer handed to a worker that is stopped: gone if it was transferred', async (context) => {
      // The worker must hold the moved task behind the one it runs: a depth of 2 or more,
      // which on a loaded machine the measured service time may not give.
      pinPrefetchDepth(4);
      context.after(() => pinPrefetchDepth(undefined));
      const executor = pool({ maxWorkers: 1 });
      await Promise.all(range(50).map((i) => executor.submit(t.mul, i, 1)));
      const started = log();
      const controller = new AbortController();
      const stopped = executor.submitWith(
        { signal: controller.signal },
        t.startThenWait,
        started,
        gate(),
      );
      const moved = executor.submit(t.identity, move(new Uint8Array(8)));
      const copied = executor.submit(t.identity, new Uint8Array(8));
      await take(started);
      await until(() => moved.running(), 'the moved task was handed to the worker');
      controller.abort();
      await assert.rejects(stopped.result());
      if (impl.capabilities.movesBuffers) {
        await assert.rejects(moved.result(), (error: Error) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, /could not be sent to its worker/);
          return true;
        });
      } else {
        assert.deepEqual(await moved, new Uint8Array(8), 'a copy, sent again to the new worker');
      }
      assert.deepEqual(await copied, new Uint8Array(8), 'the task behind it ran on the new worker');
    });
  });

  describe(`${impl.name}: initializer`, SUITE, () => {
    const { pool, gate } = executorHarness(impl);

    test('the initializer runs with initArgs once in every worker before its tasks', async () => {
      const executor = pool({ maxWorkers: 2, initializer: t.init, initArgs: ['initialized'] });
      const open = gate();
      const blockers = [executor.submit(t.waitForGate, open), executor.submit(t.waitForGate, open)];
      const statuses = [executor.submit(t.getInitStatus), executor.submit(t.getInitStatus)];
      open.set();
      await Promise.all(blockers);
      assert.deepEqual(await Promise.all(statuses), ['initialized:1', 'initialized:1']);
      assert.equal(await executor.submit(t.getInitStatus), 'initialized:1');
      assert.equal(executor.workerCount, 2);
    });

    test('a failing initializer breaks the pool: its tasks and later submits get BrokenExecutor', async () => {
      const executor = pool({ maxWorkers: 2, initializer: t.initFail });
      const futures = [executor.submit(t.getInitStatus), executor.submit(t.getInitStatus)];
      for (const future of futures) {
        await assert.rejects(future.result(), (error: Error) => {
          assert.ok(error instanceof BrokenExecutor);
          assert.match(error.message, /initializer failed.*error in initializer/);
          assert.equal((error.cause as Error).message, 'error in initializer');
          return true;
        });
      }
      assert.throws(() => executor.submit(t.getInitStatus), BrokenExecutor);
      assert.throws(() => executor.map(t.getInitStatus, [1]), BrokenExecutor);
      await executor.shutdown();
      assert.equal(executor.workerCount, 0);
    });

    test('a worker that exits in its initializer breaks the pool too, with the crash as cause', async () => {
      const executor = pool({ maxWorkers: 1, initializer: t.initExit });
      const future = executor.submit(t.mul, 1, 1);
      await assert.rejects(future.result(), BrokenExecutor);
      const cause = ((await future.exception()) as Error).cause;
      assert.ok(cause instanceof WorkerCrashedError);
      assert.equal((cause as { exitCode?: number }).exitCode, 9);
    });

    test('an initializer that cannot run, or initArgs that cannot cross, are refused at construction', () => {
      assert.throws(() => impl.create({ initializer: t.unmarked as never }), TypeError);
      assert.throws(() => impl.create({ initializer: t.init, initArgs: [() => 1] }), TypeError);
      assert.throws(
        () => impl.create({ initializer: t.init, initArgs: [move(new Uint8Array(1))] }),
        /cannot be moved/,
      );
    });

    test('an initializer that is not exported breaks the pool with the lookup error', async () => {
      const executor = pool({ maxWorkers: 1, initializer: t.hiddenTask.fn });
      await assert.rejects(executor.submit(t.mul, 1, 1).result(), (error: Error) => {
        assert.ok(error instanceof BrokenExecutor);
        assert.match((error.cause as Error).message, /not exported/);
        return true;
      });
    });
  });
}
