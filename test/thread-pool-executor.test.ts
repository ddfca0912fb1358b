// ThreadPoolExecutor: submit, results and errors crossing back, refusals at the call,
// transfer, done callbacks, cancel, and per-task signals and timeouts. Behaviours ported from
// CPython's test_concurrent_futures (executor.py, test_thread_pool.py) in our own words.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import {
  CancelledError,
  type Future,
  move,
  RuntimeError,
  ThreadPoolExecutor,
  TimeoutError,
} from '../src/index.js';
import {
  busyMs,
  countCall,
  countThenWait,
  failWithInventoryError,
  fillBuffer,
  hiddenTask,
  identity,
  mul,
  pow,
  rejectWith,
  returnFunction,
  sleepMs,
  triple,
  unmarked,
  waitForGate,
  workerThreadId,
} from './fixtures/executor-tasks.js';
import { openGate, pool, sharedGate, pollUntil as until } from './support/executor-harness.js';

const TASKS = new URL('./fixtures/executor-tasks.ts', import.meta.url).href;

/** A flag in shared memory that tasks wait on; opened after the file at the latest. */
function gate(): { array: Int32Array; open(): void } {
  const array = sharedGate();
  return { array, open: () => openGate(array) };
}

function counter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

describe('ThreadPoolExecutor: submit', () => {
  test('submit runs the function in a worker and its future gives the value', async () => {
    const executor = pool({ maxWorkers: 2 });
    const future = executor.submit(pow, 2, 8);
    assert.equal(await future, 256);
    assert.equal(await future.result(), 256);
    assert.equal(future.done(), true);
    assert.notEqual(await executor.submit(workerThreadId), 0);
  });

  test('a { module, name } target runs like the portable function it names', async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.equal(await executor.submit<number>({ module: TASKS, name: 'mul' }, 6, 7), 42);
    assert.equal(await executor.submit(mul, 6, 7), 42);
  });

  test('functions are found by export, by function name, or (anonymous) by source', async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.equal(triple.name, 'timesThree');
    assert.equal(await executor.submit(triple, 5), 15, 'named unlike its export');
    assert.equal(mul.name, '');
    assert.equal(await executor.submit(mul, 5, 4), 20, 'an anonymous arrow function');
    assert.equal(await executor.submit(identity, 'x'), 'x', 'named like its export');
  });

  test('async functions are awaited in the worker; results are structured clones', async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.equal(await executor.submit(sleepMs, 5, 'late'), 'late');
    const value = { list: [1, 2], map: new Map([['k', 1]]), date: new Date(0) };
    assert.deepEqual(await executor.submit(identity, value), value);
  });

  test('many futures complete in any order with the right values', async () => {
    const executor = pool({ maxWorkers: 2 });
    const futures = Array.from({ length: 2000 }, (_, i) => executor.submit(mul, i, 2));
    const values = await Promise.all(futures);
    assert.deepEqual(
      values,
      Array.from({ length: 2000 }, (_, i) => i * 2),
    );
  });

  test('maxWorkers defaults to os.availableParallelism() and must be an integer > 0', () => {
    assert.equal(new ThreadPoolExecutor().maxWorkers, availableParallelism());
    for (const bad of [0, -1, 1.5]) {
      assert.throws(() => new ThreadPoolExecutor({ maxWorkers: bad }), RangeError);
    }
    assert.throws(
      () => new ThreadPoolExecutor({ maxWorkers: '2' as unknown as number }),
      TypeError,
    );
    assert.throws(() => new ThreadPoolExecutor({ maxTasksPerWorker: 0 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ idleTimeout: -1 }), RangeError);
  });
});

describe('ThreadPoolExecutor: refused at the call', () => {
  test('an unmarked function throws a TypeError that says how to mark it', () => {
    const executor = pool({ maxWorkers: 1 });
    assert.throws(
      () => executor.submit(unmarked as never, 1),
      (error: Error) =>
        error instanceof TypeError && /portable\(import\.meta\.url/.test(error.message),
    );
    assert.throws(() => executor.submit(((x: number) => x) as never, 1), TypeError);
    assert.equal(executor.workerCount, 0);
  });

  test('an argument that cannot cross throws a TypeError naming it', () => {
    const executor = pool({ maxWorkers: 1 });
    assert.throws(
      () => executor.submit(identity, () => 1),
      (error: Error) => error instanceof TypeError && /argument 0/.test(error.message),
    );
    assert.throws(
      () => executor.submit(mul, 1, new WeakMap() as unknown as number),
      (error: Error) => error instanceof TypeError && /argument 1/.test(error.message),
    );
  });

  test('a portable function that is not exported fails its future, then throws at once', async () => {
    const executor = pool({ maxWorkers: 1 });
    await assert.rejects(executor.submit(hiddenTask.fn).result(), /not exported/);
    assert.throws(() => executor.submit(hiddenTask.fn), /not exported/);
    assert.equal(await executor.submit(mul, 2, 3), 6);
  });

  test('submitWith validates its options at the call', () => {
    const executor = pool({ maxWorkers: 1 });
    assert.throws(() => executor.submitWith({ timeout: -1 }, mul, 1, 2), RangeError);
    assert.throws(() => executor.submitWith({ timeout: Number.NaN }, mul, 1, 2), TypeError);
    assert.throws(() => executor.submitWith({ signal: {} as AbortSignal }, mul, 1, 2), TypeError);
  });
});

describe('ThreadPoolExecutor: errors and values crossing back', () => {
  test('a thrown error keeps its class name, message, stack, cause and own fields', async () => {
    const executor = pool({ maxWorkers: 1 });
    const error = (await executor.submit(failWithInventoryError, 'bolts').exception()) as Error & {
      sku: string;
    };
    assert.equal(error.name, 'InventoryError');
    assert.equal(error.message, 'out of bolts');
    assert.equal(error.sku, 'bolts');
    assert.match(error.stack ?? '', /executor-tasks\.ts/);
    assert.ok(error.cause instanceof RangeError);
    assert.equal((error.cause as Error).message, 'stock is 0');
  });

  test('a rejected promise fails the future with its error; the worker goes on', async () => {
    const executor = pool({ maxWorkers: 1 });
    await assert.rejects(executor.submit(rejectWith, 'bad input').result(), {
      name: 'TypeError',
      message: 'bad input',
    });
    assert.equal(await executor.submit(mul, 3, 3), 9);
  });

  test('a result that cannot cross fails the future with a TypeError', async () => {
    const executor = pool({ maxWorkers: 1 });
    await assert.rejects(executor.submit(returnFunction).result(), TypeError);
  });

  test('move() transfers a buffer into the worker and back instead of copying it', async () => {
    const executor = pool({ maxWorkers: 1 });
    const input = new Uint8Array(1000);
    const output = await executor.submit(fillBuffer, move(input), 64);
    assert.equal(input.byteLength, 0, 'the sender no longer has the moved buffer');
    assert.ok(output instanceof Uint8Array);
    assert.equal(output.length, 64);
    assert.equal(output[0], 1000 % 256);
  });
});

describe('ThreadPoolExecutor: done callbacks and cancel', () => {
  test('a done callback runs once with the future, also when added after completion', async () => {
    const executor = pool({ maxWorkers: 1 });
    const seen: unknown[] = [];
    const future = executor.submit(mul, 5, 5);
    future.addDoneCallback((f) => seen.push(f.done() && f));
    await future;
    assert.deepEqual(seen, [future]);
    future.addDoneCallback((f) => seen.push(f));
    assert.deepEqual(seen, [future, future]);
  });

  test('cancel() removes a queued task: it never runs, and its future is cancelled', async () => {
    const executor = pool({ maxWorkers: 1 });
    const { array, open } = gate();
    const calls = counter();
    const blocker = executor.submit(waitForGate, array, 'first');
    const queued = executor.submit(countCall, calls);
    assert.equal(queued.cancel(), true);
    assert.equal(queued.cancelled(), true);
    assert.equal(queued.cancel(), true, 'cancelling again still says cancelled');
    await assert.rejects(queued.result(), CancelledError);
    const seen: boolean[] = [];
    queued.addDoneCallback((f) => seen.push(f.cancelled()));
    assert.deepEqual(seen, [true]);
    open();
    assert.equal(await blocker, 'first');
    assert.equal(await executor.submit(countCall, calls), 1, 'the cancelled task never ran');
  });

  test('cancel() of a running task returns false and the task finishes', async () => {
    const executor = pool({ maxWorkers: 1 });
    const started = counter();
    const { array, open } = gate();
    const running = executor.submit(countThenWait, started, array, 'done');
    await until(() => Atomics.load(started, 0) === 1, 'the task started');
    assert.equal(running.running(), true);
    assert.equal(running.cancel(), false);
    open();
    assert.equal(await running, 'done');
    assert.equal(running.cancel(), false);
    assert.equal(running.cancelled(), false);
  });

  test('the pool starts workers only as needed and reuses an idle one', async () => {
    const executor = pool({ maxWorkers: 4 });
    assert.equal(executor.workerCount, 0, 'no worker before the first task');
    await executor.submit(mul, 21, 2);
    await executor.submit(mul, 6, 7);
    await executor.submit(mul, 3, 14);
    assert.equal(executor.workerCount, 1);
  });

  test('a saturated pool runs exactly maxWorkers workers', async () => {
    const executor = pool({ maxWorkers: 4 });
    const { array, open } = gate();
    const futures = Array.from({ length: 60 }, () => executor.submit(waitForGate, array));
    assert.equal(executor.workerCount, 4);
    open();
    await Promise.all(futures);
    assert.equal(executor.workerCount, 4);
  });
});

describe('ThreadPoolExecutor: signals and per-task timeouts', () => {
  test('aborting a queued task removes it: it rejects with the reason and never runs', async () => {
    const executor = pool({ maxWorkers: 1 });
    const { array, open } = gate();
    const calls = counter();
    const blocker = executor.submit(waitForGate, array, 'first');
    const controller = new AbortController();
    const queued = executor.submitWith({ signal: controller.signal }, countCall, calls);
    const reason = new Error('not needed any more');
    controller.abort(reason);
    await assert.rejects(queued.result(), (error) => error === reason);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    open();
    await blocker;
    assert.equal(await executor.submit(countCall, calls), 1, 'the aborted task never ran');
  });

  test('an already-aborted signal rejects without running anything', async () => {
    const executor = pool({ maxWorkers: 1 });
    const calls = counter();
    const future = executor.submitWith({ signal: AbortSignal.abort('stop') }, countCall, calls);
    await assert.rejects(future.result(), (error) => error === 'stop');
    assert.equal(executor.workerCount, 0);
    assert.equal(Atomics.load(calls, 0), 0);
  });

  test('aborting a running task stops its worker; a new worker takes the next task', async () => {
    const executor = pool({ maxWorkers: 1 });
    const started = counter();
    const { array } = gate();
    const controller = new AbortController();
    const firstThread = await executor.submit(workerThreadId);
    const running = executor.submitWith(
      { signal: controller.signal },
      countThenWait,
      started,
      array,
    );
    const next = executor.submit(workerThreadId);
    await until(() => Atomics.load(started, 0) === 1, 'the task started');
    controller.abort(new Error('user gave up'));
    await assert.rejects(running.result(), { message: 'user gave up' });
    const nextThread = await next;
    assert.notEqual(nextThread, firstThread, 'the next task ran on a fresh worker');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  test('a task that outlives its timeout is stopped with TimeoutError; others go on', async () => {
    const executor = pool({ maxWorkers: 1 });
    const slow = executor.submitWith({ timeout: 30 }, busyMs, 60_000);
    const after = executor.submit(mul, 2, 21);
    await assert.rejects(slow.result(), TimeoutError);
    assert.equal(await after, 42);
  });

  test('the timeout counts from the start of the task, not from the submit', async () => {
    const executor = pool({ maxWorkers: 1 });
    const first = executor.submit(busyMs, 80, 'first');
    const second = executor.submitWith({ timeout: 60 }, busyMs, 5, 'second');
    assert.equal(await first, 'first');
    assert.equal(await second, 'second', 'its time in the queue did not count');
  });

  test('a signal left unused is released when its task finishes', async () => {
    const executor = pool({ maxWorkers: 1 });
    const controller = new AbortController();
    const futures: Future<number>[] = [];
    for (let i = 0; i < 20; i++)
      futures.push(executor.submitWith({ signal: controller.signal }, mul, i, 1));
    await Promise.all(futures);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});

describe('ThreadPoolExecutor: after shutdown', () => {
  test('submit and map after shutdown throw RuntimeError', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.shutdown();
    assert.throws(() => executor.submit(pow, 2, 5), RuntimeError);
    assert.throws(() => executor.map(identity, [1]), RuntimeError);
  });
});
