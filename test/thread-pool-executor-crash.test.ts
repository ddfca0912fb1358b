// ThreadPoolExecutor when workers die: only the task a worker was running fails, with
// WorkerCrashedError (exit code, cause); the tasks queued behind it on that worker run on its
// replacement. And initializers: Python marks the pool broken when one fails; so does weft.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokenExecutor, move, ThreadPoolExecutor, WorkerCrashedError } from '../src/index.js';
import {
  exhaustMemory,
  exitWith,
  getInitStatus,
  hiddenTask,
  identity,
  init,
  initExit,
  initFail,
  mul,
  throwLater,
  throwUncaught,
  unmarked,
  waitForGate,
  workerThreadId,
} from './fixtures/executor-tasks.js';
import { pool, pollUntil as until } from './support/executor-harness.js';

function crashed(exitCode: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WorkerCrashedError, `expected WorkerCrashedError, got ${error}`);
    assert.equal((error as { exitCode?: number }).exitCode, exitCode);
    return true;
  };
}

describe('ThreadPoolExecutor: a worker that dies fails only the task it ran', () => {
  test('process.exit() in a task: WorkerCrashedError with the exit code; the rest complete', async () => {
    const executor = pool({ maxWorkers: 1 });
    // Many small tasks first, so that the worker holds several tasks at once when one kills it.
    await Promise.all(Array.from({ length: 500 }, (_, i) => executor.submit(mul, i, 1)));
    const before = Array.from({ length: 20 }, (_, i) => executor.submit(mul, i, 2));
    const killer = executor.submit(exitWith, 7);
    const behind = Array.from({ length: 20 }, (_, i) => executor.submit(mul, i, 3));
    await assert.rejects(killer.result(), crashed(7));
    assert.match(((await killer.exception()) as Error).message, /exited with code 7/);
    assert.deepEqual(
      await Promise.all(before),
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    assert.deepEqual(
      await Promise.all(behind),
      Array.from({ length: 20 }, (_, i) => i * 3),
    );
  });

  test('an uncaught error at the top level of a worker fails its running task, with the error as cause', async () => {
    const executor = pool({ maxWorkers: 1 });
    const future = executor.submit(throwUncaught, 'timer went off');
    const next = executor.submit(mul, 4, 4);
    await assert.rejects(future.result(), crashed(1));
    const error = (await future.exception()) as Error;
    assert.ok(error.cause instanceof Error);
    assert.equal((error.cause as Error).message, 'timer went off');
    assert.equal(await next, 16);
  });

  test('a worker that runs out of memory under resourceLimits fails its task and is replaced', async () => {
    const executor = pool({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const future = executor.submit(exhaustMemory);
    await assert.rejects(future.result(), WorkerCrashedError);
    const error = (await future.exception()) as Error;
    assert.equal((error.cause as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
    assert.match(error.message, /ran out of memory/);
    assert.equal(await executor.submit(mul, 5, 5), 25);
  });

  test('a worker that dies while idle fails no task; the next one runs on a new worker', async () => {
    const executor = pool({ maxWorkers: 1 });
    const first = await executor.submit(workerThreadId);
    assert.equal(await executor.submit(throwLater, 10), 'returned');
    await until(() => executor.workerCount === 0, 'the worker died');
    const second = await executor.submit(workerThreadId);
    assert.notEqual(second, first);
  });

  test('crashes on two workers at once leave every other task intact', async () => {
    const executor = pool({ maxWorkers: 2 });
    const futures = Array.from({ length: 200 }, (_, i) =>
      i === 50 || i === 51 || i === 150 ? executor.submit(exitWith, 4) : executor.submit(mul, i, 1),
    );
    const outcomes = await Promise.allSettled(futures);
    outcomes.forEach((outcome, i) => {
      if (i === 50 || i === 51 || i === 150) {
        assert.equal(outcome.status, 'rejected', `task ${i}`);
        assert.ok((outcome as PromiseRejectedResult).reason instanceof WorkerCrashedError);
      } else assert.deepEqual(outcome, { status: 'fulfilled', value: i });
    });
  });

  test('a task handed to a stopped worker with a moved buffer fails clearly, as the buffer is gone', async () => {
    const executor = pool({ maxWorkers: 1 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => executor.submit(mul, i, 1)));
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    const stopped = executor.submitWith({ signal: controller.signal }, waitForGate, gate);
    const moved = executor.submit(identity, move(new Uint8Array(8)));
    const copied = executor.submit(identity, new Uint8Array(8));
    await until(() => stopped.running() && moved.running(), 'both tasks were handed to the worker');
    controller.abort();
    await assert.rejects(stopped.result());
    await assert.rejects(moved.result(), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /could not be sent to its worker/);
      return true;
    });
    assert.deepEqual(await copied, new Uint8Array(8), 'the task behind it ran on the new worker');
  });
});

describe('ThreadPoolExecutor: initializer', () => {
  test('the initializer runs once in every worker before its tasks', async () => {
    const executor = pool({ maxWorkers: 2, initializer: init, initArgs: ['initialized'] });
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const blockers = [executor.submit(waitForGate, gate), executor.submit(waitForGate, gate)];
    const statuses = [executor.submit(getInitStatus), executor.submit(getInitStatus)];
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await Promise.all(blockers);
    assert.deepEqual(await Promise.all(statuses), ['initialized:1', 'initialized:1']);
    assert.equal(executor.workerCount, 2);
  });

  test('a failing initializer breaks the pool: its tasks and later submits get BrokenExecutor', async () => {
    const executor = pool({ maxWorkers: 2, initializer: initFail });
    const futures = [executor.submit(getInitStatus), executor.submit(getInitStatus)];
    for (const future of futures) {
      await assert.rejects(future.result(), (error: Error) => {
        assert.ok(error instanceof BrokenExecutor);
        assert.match(error.message, /initializer failed.*error in initializer/);
        assert.equal((error.cause as Error).message, 'error in initializer');
        return true;
      });
    }
    assert.throws(() => executor.submit(getInitStatus), BrokenExecutor);
    assert.throws(() => executor.map(getInitStatus, [1]), BrokenExecutor);
    await executor.shutdown();
    assert.equal(executor.workerCount, 0);
  });

  test('a worker that exits in its initializer breaks the pool too, with the crash as cause', async () => {
    const executor = pool({ maxWorkers: 1, initializer: initExit });
    const future = executor.submit(mul, 1, 1);
    await assert.rejects(future.result(), BrokenExecutor);
    const cause = ((await future.exception()) as Error).cause;
    assert.ok(cause instanceof WorkerCrashedError);
    assert.equal((cause as { exitCode?: number }).exitCode, 9);
  });

  test('an initializer that cannot run, or initArgs that cannot cross, are refused at construction', () => {
    assert.throws(() => new ThreadPoolExecutor({ initializer: unmarked as never }), TypeError);
    assert.throws(
      () => new ThreadPoolExecutor({ initializer: init, initArgs: [() => 1] }),
      TypeError,
    );
    assert.throws(
      () => new ThreadPoolExecutor({ initializer: init, initArgs: [move(new Uint8Array(1))] }),
      /cannot be moved/,
    );
  });

  test('an initializer that is not exported breaks the pool with the lookup error', async () => {
    const executor = pool({ maxWorkers: 1, initializer: hiddenTask.fn });
    await assert.rejects(executor.submit(mul, 1, 1).result(), (error: Error) => {
      assert.ok(error instanceof BrokenExecutor);
      assert.match((error.cause as Error).message, /not exported/);
      return true;
    });
  });
});
