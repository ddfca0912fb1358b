// What only a thread pool does (the rest: the executor contract, thread-pool-executor.test.ts;
// thread names and identity: thread-pool-identity.test.ts): V8 resource limits per worker,
// and memory shared with the workers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ThreadPoolExecutor, WorkerCrashedError } from '../src/index.js';
import { exhaustMemory, mul, waitForSharedGate } from './fixtures/executor-tasks.js';
import { executorHarness, SUITE } from './support/executor-harness.js';
import { threadPool } from './support/executors.js';

describe('ThreadPoolExecutor: what only threads do', SUITE, () => {
  const { pool } = executorHarness(threadPool);

  test('a worker that runs out of memory under resourceLimits fails its task and is replaced', async () => {
    const executor = new ThreadPoolExecutor({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    try {
      const future = executor.submit(exhaustMemory);
      await assert.rejects(future.result(), WorkerCrashedError);
      const error = (await future.exception()) as Error;
      assert.equal((error.cause as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
      assert.match(error.message, /ran out of memory/);
      assert.equal(await executor.submit(mul, 5, 5), 25);
    } finally {
      await executor.shutdown({ cancelFutures: true });
    }
  });

  test('resourceLimits must be an object', () => {
    assert.throws(
      () => new ThreadPoolExecutor({ resourceLimits: 64 as never }),
      (error: Error) =>
        error instanceof TypeError && /resourceLimits must be an object/.test(error.message),
    );
  });

  test('a SharedArrayBuffer argument is shared with the worker, not copied', async () => {
    const executor = pool({ maxWorkers: 1 });
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const future = executor.submit(waitForSharedGate, gate, 'released');
    // The task says in gate[1] that it waits; it sees gate[0] change here.
    while (Atomics.load(gate, 1) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    assert.equal(await future, 'released');
  });
});
