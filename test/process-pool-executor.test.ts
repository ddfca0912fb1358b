// ProcessPoolExecutor: the thread pool's API over child processes. Ported in our own words from
// CPython's test_concurrent_futures (test_process_pool.py, executor.py, test_shutdown.py):
// submit and map (order, chunks, empty input), errors that keep their class, a worker process
// that dies failing only its task, shutdown, `await using`, initializer, maxTasksPerChild,
// and primitives passed to tasks as handles. The soak: process-pool-executor-soak.test.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  asCompleted,
  Event,
  ProcessPoolExecutor,
  Queue,
  RuntimeError,
  WorkerCrashedError,
} from '../src/index.js';
import {
  exitWith,
  failWithInventoryError,
  getInitStatus,
  identity,
  init,
  mul,
  rejectWith,
  sqrtOrThrow,
  square,
  triple,
  unmarked,
} from './fixtures/executor-tasks.js';
import {
  killSelf,
  pidOf,
  putFromTask,
  startThenWait,
  waitForEvent,
} from './fixtures/process-pool-tasks.js';

const LIMIT = { timeout: 20_000 };
const WAIT = { timeout: 10_000 };

const executors: ProcessPoolExecutor[] = [];
const events: Event[] = [];

function pool(options?: ConstructorParameters<typeof ProcessPoolExecutor>[0]): ProcessPoolExecutor {
  const executor = new ProcessPoolExecutor(options);
  executors.push(executor);
  return executor;
}

/** An event the tasks wait on; set after the file, so no task is left waiting. */
function gate(): Event {
  const event = new Event();
  events.push(event);
  return event;
}

after(async () => {
  for (const event of events) event.set();
  await Promise.all(executors.map((executor) => executor.shutdown({ cancelFutures: true })));
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function crashed(exitCode: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WorkerCrashedError, `expected WorkerCrashedError, got ${error}`);
    assert.equal((error as { exitCode?: number }).exitCode, exitCode);
    return true;
  };
}

describe('ProcessPoolExecutor: submit and map', () => {
  test('submit runs a task in a child process and resolves its future', LIMIT, async () => {
    const executor = pool({ maxWorkers: 2 });
    const future = executor.submit(triple, 5);
    assert.equal(await future.result(), 15);
    assert.equal(future.done(), true);
    assert.notEqual(await executor.submit(pidOf), process.pid);
    assert.deepEqual(
      await Promise.all(range(20).map((i) => executor.submit(mul, i, 2))),
      range(20).map((i) => i * 2),
    );
    assert.ok(executor.workerCount <= 2);
  });

  test(
    'map yields results in input order, for every chunksize, and nothing for no input',
    LIMIT,
    async () => {
      const executor = pool({ maxWorkers: 2 });
      for (const chunksize of [1, 3, 50]) {
        assert.deepEqual(
          await collect(executor.map(square, range(23), { chunksize })),
          range(23).map((x) => x * x),
          `chunksize ${chunksize}`,
        );
      }
      assert.deepEqual(await collect(executor.map(square, [])), []);
      assert.throws(() => executor.map(square, [1], { chunksize: 0 }), RangeError);
    },
  );

  test('a chunk travels as one task: its items run in the same process', LIMIT, async () => {
    const executor = pool({ maxWorkers: 2 });
    const pids = await collect(executor.map(pidOf, range(20), { chunksize: 5 }));
    for (let chunk = 0; chunk < 4; chunk++) {
      const own = pids.slice(chunk * 5, chunk * 5 + 5);
      assert.equal(new Set(own).size, 1, `chunk ${chunk}: ${own}`);
    }
    assert.ok(!pids.includes(process.pid));
  });

  test('asCompleted yields the futures of a process pool as they finish', LIMIT, async () => {
    const executor = pool({ maxWorkers: 2 });
    const futures = range(6).map((i) => executor.submit(mul, i, 10));
    const seen: number[] = [];
    for await (const future of asCompleted(futures)) seen.push(await future.result());
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      range(6).map((i) => i * 10),
    );
  });

  test('errors keep their class, message, fields and cause', LIMIT, async () => {
    const executor = pool({ maxWorkers: 1 });
    await assert.rejects(executor.submit(rejectWith, 'bad').result(), TypeError);
    const error = (await executor.submit(failWithInventoryError, 'bolts').exception()) as Error & {
      sku: string;
    };
    assert.equal(error.name, 'InventoryError');
    assert.equal(error.message, 'out of bolts');
    assert.equal(error.sku, 'bolts');
    assert.ok(error.cause instanceof RangeError);
    assert.match(error.stack!, /executor-tasks\.ts/);
    // A map ends with the error of the first item that failed, after the results before it.
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const value of executor.map(sqrtOrThrow, [4, 9, -1, 16])) seen.push(value);
      })(),
      (e: Error) => e instanceof RangeError && e.message === 'negative: -1',
    );
    assert.deepEqual(seen, [2, 3]);
  });

  test('what cannot cross is refused with a TypeError naming it', LIMIT, async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.throws(
      () => executor.submit(identity, (() => 1) as never),
      (e: Error) => e instanceof TypeError && /argument 0/.test(e.message),
    );
    assert.throws(() => executor.submit(unmarked as never, 1), TypeError);
    const seen: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const value of executor.map(identity, [1, 2, () => 3], { chunksize: 2 })) {
          seen.push(value);
        }
      })(),
      (e: Error) => e instanceof TypeError && /item 2/.test(e.message),
    );
    assert.deepEqual(seen, [1, 2]);
  });
});

describe('ProcessPoolExecutor: a worker process that dies fails only its task', () => {
  test(
    'process.exit(n) in a task: WorkerCrashedError with exitCode n; the others complete',
    LIMIT,
    async () => {
      const executor = pool({ maxWorkers: 1 });
      const before = range(20).map((i) => executor.submit(mul, i, 2));
      const killer = executor.submit(exitWith, 7);
      const behind = range(20).map((i) => executor.submit(mul, i, 3));
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
    },
  );

  test(
    'a task that SIGKILLs its own process fails with exitCode -9; a new child takes over',
    LIMIT,
    async () => {
      const executor = pool({ maxWorkers: 1 });
      const first = await executor.submit(pidOf);
      await assert.rejects(executor.submit(killSelf, 'SIGKILL').result(), (error: unknown) => {
        assert.ok(crashed(-9)(error));
        assert.equal((error as { signal?: string }).signal, 'SIGKILL');
        assert.match((error as Error).message, /was killed by SIGKILL \(exit code -9\)/);
        return true;
      });
      const second = await executor.submit(pidOf);
      assert.notEqual(second, first);
      assert.equal(await executor.submit(mul, 6, 7), 42);
    },
  );
});

describe('ProcessPoolExecutor: shutdown and lifecycle', () => {
  test(
    'shutdown() waits for the running tasks; later submits throw RuntimeError',
    LIMIT,
    async () => {
      const executor = pool({ maxWorkers: 2 });
      const go = gate();
      const started = new Queue<unknown>();
      const futures = range(2).map((i) => executor.submit(startThenWait, started, go, i));
      await started.get(WAIT);
      await started.get(WAIT);
      const shutdown = executor.shutdown();
      assert.throws(() => executor.submit(mul, 1, 1), RuntimeError);
      go.set();
      await shutdown;
      assert.deepEqual(await Promise.all(futures), [0, 1]);
      assert.equal(executor.workerCount, 0);
    },
  );

  test(
    'shutdown({ cancelFutures }) cancels what has not started; the running task completes',
    LIMIT,
    async () => {
      const executor = pool({ maxWorkers: 1 });
      const go = gate();
      const started = new Queue<unknown>();
      const running = executor.submit(startThenWait, started, go, 'ran');
      await started.get(WAIT);
      const queued = range(5).map((i) => executor.submit(mul, i, 1));
      const shutdown = executor.shutdown({ cancelFutures: true });
      assert.ok(queued.every((future) => future.cancelled()));
      go.set();
      await shutdown;
      assert.equal(await running.result(), 'ran');
    },
  );

  test('shutdown({ wait: false }) resolves at once; the tasks still finish', LIMIT, async () => {
    const executor = pool({ maxWorkers: 1 });
    const go = gate();
    const future = executor.submit(waitForEvent, go, 'finished');
    await executor.shutdown({ wait: false });
    go.set();
    assert.equal(await future.result(), 'finished');
  });

  test('await using shuts the pool down at the end of the scope', LIMIT, async () => {
    let escaped: ProcessPoolExecutor;
    {
      await using executor = new ProcessPoolExecutor({ maxWorkers: 1 });
      escaped = executor;
      assert.equal(await executor.submit(mul, 3, 4), 12);
    }
    assert.equal(escaped.workerCount, 0);
    assert.throws(() => escaped.submit(mul, 1, 1), RuntimeError);
  });

  test(
    'the initializer runs with initArgs once in every child before its tasks',
    LIMIT,
    async () => {
      const executor = pool({ maxWorkers: 1, initializer: init, initArgs: ['ready'] });
      assert.equal(await executor.submit(getInitStatus), 'ready:1');
      assert.equal(await executor.submit(getInitStatus), 'ready:1');
    },
  );

  test('maxTasksPerChild replaces a child after that many tasks', LIMIT, async () => {
    const executor = pool({ maxWorkers: 1, maxTasksPerChild: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 4; i++) pids.push(await executor.submit(pidOf));
    assert.equal(pids[0], pids[1]);
    assert.equal(pids[2], pids[3]);
    assert.notEqual(pids[0], pids[2]);
    assert.throws(
      () => new ProcessPoolExecutor({ maxTasksPerChild: 2, maxTasksPerWorker: 3 }),
      TypeError,
    );
  });
});

describe('ProcessPoolExecutor: primitives passed to tasks', () => {
  test('a Queue passed to tasks arrives as a handle on the same queue', LIMIT, async () => {
    const executor = pool({ maxWorkers: 2 });
    const queue = new Queue<unknown>();
    const pids = await Promise.all(range(10).map((i) => executor.submit(putFromTask, queue, i)));
    assert.ok(pids.every((pid) => pid !== process.pid));
    const items: number[] = [];
    while (!queue.empty()) items.push(queue.getNowait() as number);
    assert.deepEqual(
      items.sort((a, b) => a - b),
      range(10),
    );
  });
});
