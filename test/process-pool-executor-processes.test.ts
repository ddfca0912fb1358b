// What only a process pool does (the rest: the executor contract, process-pool-executor.test.ts):
// a child killed by a signal, and Python's name for maxTasksPerWorker.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProcessPoolExecutor } from '../src/index.js';
import { crashed } from './contracts/executor-contract-crash.js';
import { killSelf, mul, workerId } from './fixtures/executor-tasks.js';
import { executorHarness, SUITE } from './support/executor-harness.js';
import { processPool } from './support/executors.js';

describe('ProcessPoolExecutor: what only processes do', SUITE, () => {
  const { pool } = executorHarness(processPool);

  test('a task that SIGKILLs its own process fails with exitCode -9; a new child takes over', async () => {
    const executor = pool({ maxWorkers: 1 });
    const first = await executor.submit(workerId);
    await assert.rejects(executor.submit(killSelf, 'SIGKILL').result(), (error: unknown) => {
      assert.ok(crashed(-9)(error));
      assert.equal((error as { signal?: string }).signal, 'SIGKILL');
      assert.match((error as Error).message, /was killed by SIGKILL \(exit code -9\)/);
      return true;
    });
    assert.notEqual(await executor.submit(workerId), first);
    assert.equal(await executor.submit(mul, 6, 7), 42);
  });

  test('maxTasksPerChild replaces a child after that many tasks', async () => {
    const executor = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 2 });
    try {
      const workers: string[] = [];
      for (let i = 0; i < 4; i++) workers.push(await executor.submit(workerId));
      assert.equal(workers[0], workers[1]);
      assert.equal(workers[2], workers[3]);
      assert.notEqual(workers[0], workers[2]);
    } finally {
      await executor.shutdown({ cancelFutures: true });
    }
    assert.throws(
      () => new ProcessPoolExecutor({ maxTasksPerChild: 2, maxTasksPerWorker: 3 }),
      TypeError,
    );
  });
});
