// The executor contract, map: results in input order, chunks, errors, the timeout counted from
// the call, lazy input, leaving early, signals; and the futures of a pool under asCompleted and
// wait. Ported in our own words from CPython's test_concurrent_futures (executor.py,
// test_thread_pool.py, test_process_pool.py, test_as_completed.py, test_wait.py).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  asCompleted,
  CancelledError,
  type Future,
  RuntimeError,
  TimeoutError,
  wait,
} from '../../src/index.js';
import {
  collect,
  type ExecutorImpl,
  executorHarness,
  range,
  SUITE,
  take,
} from '../support/executor-harness.js';

export function executorMapContract(impl: ExecutorImpl): void {
  const t = impl.tasks;

  describe(`${impl.name}.map: results`, SUITE, () => {
    const { pool } = executorHarness(impl);

    test('yields fn(item) for every item, in input order', async () => {
      const executor = pool({ maxWorkers: 2 });
      assert.deepEqual(
        await collect(executor.map(t.square, range(10))),
        range(10).map((x) => x * x),
      );
    });

    test('chunksize sends several items per task and changes nothing in the results', async () => {
      const executor = pool({ maxWorkers: 2 });
      for (const chunksize of [1, 3, 7, 50]) {
        assert.deepEqual(
          await collect(executor.map(t.square, range(23), { chunksize })),
          range(23).map((x) => x * x),
          `chunksize ${chunksize}`,
        );
      }
      assert.throws(() => executor.map(t.square, [1], { chunksize: 0 }), RangeError);
    });

    test('a chunk travels as one task: its items run on the same worker', async () => {
      const executor = pool({ maxWorkers: 2 });
      const workers = await collect(executor.map(t.workerId, range(20), { chunksize: 5 }));
      for (let chunk = 0; chunk < 4; chunk++) {
        const own = workers.slice(chunk * 5, chunk * 5 + 5);
        assert.equal(new Set(own).size, 1, `chunk ${chunk}: ${own}`);
      }
      assert.ok(!workers.includes(t.workerName()));
    });

    test('order holds when later items finish first', async () => {
      const executor = pool({ maxWorkers: 2 });
      const items = [40, 1, 30, 1, 20, 1].map((ms, i) => ({ ms, i }));
      assert.deepEqual(await collect(executor.map(t.identity, items)), items);
      assert.deepEqual(await collect(executor.map(t.sleepMs, [30, 1, 15])), [
        undefined,
        undefined,
        undefined,
      ]);
    });

    test('an async iterable works as input', async () => {
      const executor = pool({ maxWorkers: 2 });
      async function* numbers(): AsyncGenerator<number> {
        for (let i = 0; i < 12; i++) {
          if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          yield i;
        }
      }
      assert.deepEqual(
        await collect(executor.map(t.square, numbers(), { chunksize: 5 })),
        range(12).map((x) => x * x),
      );
    });

    test('an empty input ends at once', async () => {
      const executor = pool({ maxWorkers: 1 });
      assert.deepEqual(await collect(executor.map(t.square, [])), []);
    });

    test('asCompleted yields the futures of the pool as they finish', async () => {
      const executor = pool({ maxWorkers: 2 });
      const futures = range(6).map((i) => executor.submit(t.mul, i, 10));
      const seen: number[] = [];
      for await (const future of asCompleted(futures)) seen.push(await future.result());
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        range(6).map((i) => i * 10),
      );
    });
  });

  describe(`${impl.name}: futures under wait()`, SUITE, () => {
    const { pool, gate } = executorHarness(impl);

    test('wait() parts the futures of the pool into done and not done', async () => {
      const executor = pool({ maxWorkers: 2 });
      const open = gate();
      const blocked = executor.submit(t.waitForGate, open, 'late');
      const quick = executor.submit(t.mul, 6, 7);
      // Futures of different value types, as wait() takes them: Future<unknown>.
      const first = await wait([blocked, quick] as Future<unknown>[], {
        returnWhen: 'FIRST_COMPLETED',
      });
      assert.deepEqual([...first.done], [quick]);
      assert.deepEqual([...first.notDone], [blocked]);
      const failing = executor.submit(t.sqrtOrThrow, -1);
      const exception = await wait([blocked, failing] as Future<unknown>[], {
        returnWhen: 'FIRST_EXCEPTION',
      });
      assert.deepEqual([...exception.done], [failing]);
      open.set();
      const all = await wait([blocked, quick, failing] as Future<unknown>[]);
      assert.equal(all.done.size, 3);
      assert.equal(all.notDone.size, 0);
      assert.equal(await blocked, 'late');
    });
  });

  describe(`${impl.name}.map: errors and timeout`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test("a task's error ends the iteration after the results before it", async () => {
      const executor = pool({ maxWorkers: 2 });
      const iterator = executor.map(t.sqrtOrThrow, [4, 9, -1, 16]);
      assert.deepEqual(await iterator.next(), { done: false, value: 2 });
      assert.deepEqual(await iterator.next(), { done: false, value: 3 });
      await assert.rejects(iterator.next(), { name: 'RangeError', message: 'negative: -1' });
      assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    });

    test('in a chunk, the items before the failing one still come out first', async () => {
      const executor = pool({ maxWorkers: 1 });
      const seen: number[] = [];
      await assert.rejects(async () => {
        for await (const value of executor.map(t.sqrtOrThrow, [1, 4, 9, -2, 25], {
          chunksize: 5,
        }))
          seen.push(value);
      }, /negative: -2/);
      assert.deepEqual(seen, [1, 2, 3]);
    });

    test('the timeout counts from the call; a late result throws TimeoutError', async () => {
      const executor = pool({ maxWorkers: 1 });
      const opened = gate();
      opened.set();
      const started = log();
      const timeout = 20;
      const items = [opened, opened, gate()].map((gate, value) => ({ started, gate, value }));
      const results = executor.map(t.startThenWaitItem, items, { timeout });
      // The one worker has answered the first two once it starts the third, which never
      // finishes. Then the limit passes: results that are in still come out (as Python's).
      await take(started, 3);
      await sleep(timeout);
      const values: unknown[] = [];
      await assert.rejects(async () => {
        for await (const value of results) values.push(value);
      }, TimeoutError);
      assert.deepEqual(values, [0, 1]);
    });

    test('a timeout cancels the tasks that had not started (the running one finishes)', async () => {
      const executor = pool({ maxWorkers: 1 });
      const open = gate();
      const started = log();
      const first = executor.submit(t.waitForGate, open, 'first');
      const items = ['second', 'third'].map((value) => ({ started, gate: open, value }));
      const iterator = executor.map(t.startThenWaitItem, items, { timeout: 0 });
      await assert.rejects(iterator.next(), TimeoutError);
      open.set();
      assert.equal(await first, 'first');
      await executor.shutdown();
      assert.equal(started.qsize(), 0, 'neither map task ever started');
    });

    test('an item that cannot cross fails the iteration at its place, with a TypeError naming it', async () => {
      const executor = pool({ maxWorkers: 1 });
      for (const chunksize of [1, 2]) {
        const seen: unknown[] = [];
        await assert.rejects(
          async () => {
            for await (const value of executor.map(t.identity, [1, 2, () => 3, 4], { chunksize }))
              seen.push(value);
          },
          (error: Error) => error instanceof TypeError && /item 2/.test(error.message),
        );
        assert.deepEqual(seen, [1, 2], `chunksize ${chunksize}`);
      }
    });

    test('an input that throws fails the iteration after the items before it', async () => {
      const executor = pool({ maxWorkers: 1 });
      function* broken(): Generator<number> {
        yield 1;
        yield 2;
        throw new Error('input broke');
      }
      const seen: number[] = [];
      await assert.rejects(async () => {
        for await (const value of executor.map(t.square, broken())) seen.push(value);
      }, /input broke/);
      assert.deepEqual(seen, [1, 4]);
    });
  });

  describe(`${impl.name}.map: lazy input and leaving early`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test('an endless input is pulled only a window ahead, and closed when the loop breaks', async () => {
      const executor = pool({ maxWorkers: 2 });
      let pulled = 0;
      let closed = false;
      function* naturals(): Generator<number> {
        try {
          for (let i = 0; ; i++) {
            pulled++;
            yield i;
          }
        } finally {
          closed = true;
        }
      }
      const seen: number[] = [];
      for await (const value of executor.map(t.square, naturals())) {
        seen.push(value);
        if (seen.length === 5) break;
      }
      assert.deepEqual(seen, [0, 1, 4, 9, 16]);
      assert.ok(pulled < 1000, `pulled ${pulled} items for 5 results`);
      assert.equal(closed, true);
    });

    test('breaking out cancels the tasks that have not started', async () => {
      const executor = pool({ maxWorkers: 1 });
      const calls = log();
      const open = gate();
      const blocker = executor.submit(t.waitForGate, open, 'blocker');
      const iterator = executor.map(t.countCall, [calls, calls, calls, calls]);
      await iterator.return?.();
      open.set();
      await blocker;
      await executor.shutdown();
      assert.equal(calls.qsize(), 0, 'no map task ran after the loop ended');
    });

    test('map submits its first window at the call: tasks run without iterating', async () => {
      const executor = pool({ maxWorkers: 2 });
      const calls = log();
      executor.map(
        t.countCall,
        range(10).map(() => calls),
      );
      await executor.shutdown();
      assert.equal(calls.qsize(), 10);
    });

    test('results submitted before shutdown({ wait: false }) can still be read', async () => {
      const executor = pool({ maxWorkers: 5 });
      const results = executor.map(t.square, range(10, -5));
      await executor.shutdown({ wait: false });
      assert.deepEqual(await collect(results), [25, 16, 9, 4, 1, 0, 1, 4, 9, 16]);
    });

    test('input left when the executor shuts down ends the iteration with RuntimeError', async () => {
      const executor = pool({ maxWorkers: 1 });
      function* many(): Generator<number> {
        for (let i = 0; i < 100_000; i++) yield i;
      }
      const iterator = executor.map(t.square, many());
      const shutdown = executor.shutdown();
      let count = 0;
      await assert.rejects(async () => {
        for await (const _ of iterator) count++;
      }, RuntimeError);
      assert.ok(count > 0 && count < 100_000, `got ${count} results`);
      await shutdown;
    });

    test('shutdown({ cancelFutures: true }) makes map yield CancelledError for dropped tasks', async () => {
      const executor = pool({ maxWorkers: 1 });
      const open = gate();
      const started = log();
      const items = range(6).map((value) => ({ started, gate: open, value }));
      const iterator = executor.map(t.startThenWaitItem, items);
      await take(started);
      const shutdown = executor.shutdown({ cancelFutures: true });
      open.set();
      assert.deepEqual(await iterator.next(), { done: false, value: 0 });
      await assert.rejects(iterator.next(), CancelledError);
      await shutdown;
    });
  });

  describe(`${impl.name}.map: signal`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test('aborting stops the map: the iteration throws the reason and queued tasks never run', async () => {
      const executor = pool({ maxWorkers: 1 });
      const started = log();
      const controller = new AbortController();
      const open = gate();
      const items = range(5).map((value) => ({ started, gate: open, value }));
      const iterator = executor.map(t.startThenWaitItem, items, { signal: controller.signal });
      await take(started);
      const reason = new Error('enough');
      const pending = iterator.next();
      controller.abort(reason);
      await assert.rejects(pending, (error) => error === reason);
      assert.deepEqual(await iterator.next(), { done: true, value: undefined });
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
      assert.equal(await executor.submit(t.identity, 'after'), 'after', 'a fresh worker took over');
      assert.equal(started.qsize(), 0, 'only the running task had started');
    });

    test('an already-aborted signal submits nothing', async () => {
      const executor = pool({ maxWorkers: 1 });
      const calls = log();
      const iterator = executor.map(t.countCall, [calls], { signal: AbortSignal.abort('no') });
      await assert.rejects(iterator.next(), (error) => error === 'no');
      assert.equal(executor.workerCount, 0);
      assert.equal(calls.qsize(), 0);
    });
  });
}
