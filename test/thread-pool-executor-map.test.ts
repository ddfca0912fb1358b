// ThreadPoolExecutor.map: results in input order, chunks, errors, the timeout counted from
// the call, lazy input, leaving early, signals. Ported in our own words from CPython's
// test_concurrent_futures (executor.py, test_thread_pool.py).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { CancelledError, RuntimeError, TimeoutError } from '../src/index.js';
import {
  countCall,
  countThenWaitItem,
  identity,
  sleepMs,
  sqrtOrThrow,
  square,
  waitForGate,
} from './fixtures/executor-tasks.js';
import {
  openGate as open,
  pool,
  sharedGate as shared,
  pollUntil as until,
} from './support/executor-harness.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

describe('ThreadPoolExecutor.map: results', () => {
  test('yields fn(item) for every item, in input order', async () => {
    const executor = pool({ maxWorkers: 2 });
    assert.deepEqual(
      await collect(executor.map(square, range(10))),
      range(10).map((x) => x * x),
    );
  });

  test('chunksize sends several items per task and changes nothing in the results', async () => {
    const executor = pool({ maxWorkers: 2 });
    for (const chunksize of [1, 3, 7, 50]) {
      assert.deepEqual(
        await collect(executor.map(square, range(23), { chunksize })),
        range(23).map((x) => x * x),
        `chunksize ${chunksize}`,
      );
    }
    await assert.rejects(async () => executor.map(square, [1], { chunksize: 0 }), RangeError);
  });

  test('order holds when later items finish first', async () => {
    const executor = pool({ maxWorkers: 2 });
    const delays = [40, 1, 30, 1, 20, 1];
    const items = delays.map((ms, i) => ({ ms, i }));
    const results = await collect(executor.map(identity, items));
    assert.deepEqual(results, items);
    assert.deepEqual(await collect(executor.map(sleepMs, [30, 1, 15])), [
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
      await collect(executor.map(square, numbers(), { chunksize: 5 })),
      range(12).map((x) => x * x),
    );
  });

  test('an empty input ends at once', async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.deepEqual(await collect(executor.map(square, [])), []);
  });
});

describe('ThreadPoolExecutor.map: errors and timeout', () => {
  test("a task's error ends the iteration after the results before it", async () => {
    const executor = pool({ maxWorkers: 2 });
    const iterator = executor.map(sqrtOrThrow, [4, 9, -1, 16]);
    assert.deepEqual(await iterator.next(), { done: false, value: 2 });
    assert.deepEqual(await iterator.next(), { done: false, value: 3 });
    await assert.rejects(iterator.next(), { name: 'RangeError', message: 'negative: -1' });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  test('in a chunk, the items before the failing one still come out first', async () => {
    const executor = pool({ maxWorkers: 1 });
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const value of executor.map(sqrtOrThrow, [1, 4, 9, -2, 25], { chunksize: 5 }))
        seen.push(value);
    }, /negative: -2/);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('the timeout counts from the call; a late result throws TimeoutError', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.submit(identity, 'a worker is up');
    const opened = shared();
    open(opened);
    const closed = shared();
    const started = shared();
    const items = [opened, opened, closed].map((gate, value) => ({
      counter: started,
      gate,
      value,
    }));
    const results: unknown[] = [];
    await assert.rejects(async () => {
      for await (const value of executor.map(countThenWaitItem, items, { timeout: 300 })) {
        results.push(value);
      }
    }, TimeoutError);
    assert.deepEqual(results, [0, 1]);
    open(closed);
  });

  test('a timeout cancels the tasks that had not started (the running one finishes)', async () => {
    const executor = pool({ maxWorkers: 1 });
    const gate = shared();
    const started = shared();
    const first = executor.submit(waitForGate, gate, 'first');
    const items = ['second', 'third'].map((value) => ({ counter: started, gate, value }));
    const iterator = executor.map(countThenWaitItem, items, { timeout: 0 });
    await assert.rejects(iterator.next(), TimeoutError);
    open(gate);
    assert.equal(await first, 'first');
    await executor.shutdown();
    assert.equal(Atomics.load(started, 0), 0, 'neither map task ever started');
  });

  test('an item that cannot cross fails the iteration at its place, with a TypeError naming it', async () => {
    const executor = pool({ maxWorkers: 1 });
    const seen: unknown[] = [];
    await assert.rejects(
      async () => {
        for await (const value of executor.map(identity, [1, 2, () => 3, 4])) seen.push(value);
      },
      (error: Error) => error instanceof TypeError && /item 2/.test(error.message),
    );
    assert.deepEqual(seen, [1, 2]);
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
      for await (const value of executor.map(square, broken())) seen.push(value);
    }, /input broke/);
    assert.deepEqual(seen, [1, 4]);
  });
});

describe('ThreadPoolExecutor.map: lazy input and leaving early', () => {
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
    for await (const value of executor.map(square, naturals())) {
      seen.push(value);
      if (seen.length === 5) break;
    }
    assert.deepEqual(seen, [0, 1, 4, 9, 16]);
    assert.ok(pulled < 1000, `pulled ${pulled} items for 5 results`);
    assert.equal(closed, true);
  });

  test('breaking out cancels the tasks that have not started', async () => {
    const executor = pool({ maxWorkers: 1 });
    const calls = new Int32Array(new SharedArrayBuffer(4));
    const gate = shared();
    const blocker = executor.submit(waitForGate, gate, 'blocker');
    const iterator = executor.map(countCall, [calls, calls, calls, calls]);
    await iterator.return?.();
    open(gate);
    await blocker;
    await executor.shutdown();
    assert.equal(Atomics.load(calls, 0), 0, 'no map task ran after the loop ended');
  });

  test('map submits its first window at the call: tasks run without iterating', async () => {
    const executor = pool({ maxWorkers: 2 });
    const calls = new Int32Array(new SharedArrayBuffer(4));
    executor.map(
      countCall,
      Array.from({ length: 10 }, () => calls),
    );
    await executor.shutdown();
    assert.equal(Atomics.load(calls, 0), 10);
  });

  test('results submitted before shutdown({ wait: false }) can still be read', async () => {
    const executor = pool({ maxWorkers: 5 });
    const results = executor.map(square, range(10, -5));
    await executor.shutdown({ wait: false });
    assert.deepEqual(await collect(results), [25, 16, 9, 4, 1, 0, 1, 4, 9, 16]);
  });

  test('input left when the executor shuts down ends the iteration with RuntimeError', async () => {
    const executor = pool({ maxWorkers: 1 });
    function* many(): Generator<number> {
      for (let i = 0; i < 100_000; i++) yield i;
    }
    const iterator = executor.map(square, many());
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
    const gate = shared();
    const started = shared();
    const items = range(6).map((value) => ({ counter: started, gate, value }));
    const iterator = executor.map(countThenWaitItem, items);
    await until(() => Atomics.load(started, 0) === 1, 'the first map task started');
    const shutdown = executor.shutdown({ cancelFutures: true });
    open(gate);
    assert.deepEqual(await iterator.next(), { done: false, value: 0 });
    await assert.rejects(iterator.next(), CancelledError);
    await shutdown;
  });
});

describe('ThreadPoolExecutor.map: signal', () => {
  test('aborting stops the map: the iteration throws the reason and queued tasks never run', async () => {
    const executor = pool({ maxWorkers: 1 });
    const gate = shared();
    const started = shared();
    const controller = new AbortController();
    const items = range(5).map((value) => ({ counter: started, gate, value }));
    const iterator = executor.map(countThenWaitItem, items, { signal: controller.signal });
    await until(() => Atomics.load(started, 0) === 1, 'the first map task started');
    const reason = new Error('enough');
    const pending = iterator.next();
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    assert.equal(await executor.submit(identity, 'after'), 'after', 'a fresh worker took over');
    assert.equal(Atomics.load(started, 0), 1, 'only the running task had started');
  });

  test('an already-aborted signal submits nothing', async () => {
    const executor = pool({ maxWorkers: 1 });
    const calls = new Int32Array(new SharedArrayBuffer(4));
    const iterator = executor.map(countCall, [calls], { signal: AbortSignal.abort('no') });
    await assert.rejects(iterator.next(), (error) => error === 'no');
    assert.equal(executor.workerCount, 0);
  });
});
