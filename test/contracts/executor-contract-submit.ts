// The executor contract, submit: values and errors crossing both ways, refusals at the call,
// done callbacks, cancel, and per-task signals and timeouts. Behaviours ported from CPython's
// test_concurrent_futures (executor.py, test_thread_pool.py, test_process_pool.py) in our own words.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledError, type Future, move, TimeoutError } from '../../src/index.js';
import {
  type ExecutorImpl,
  executorHarness,
  roundTripMs,
  SUITE,
  take,
} from '../support/executor-harness.js';

export function executorSubmitContract(impl: ExecutorImpl): void {
  const t = impl.tasks;

  describe(`${impl.name}: submit`, SUITE, () => {
    const { pool } = executorHarness(impl);

    test('submit runs the function in a worker and its future gives the value', async () => {
      const executor = pool({ maxWorkers: 2 });
      const future = executor.submit(t.pow, 2, 8);
      assert.equal(await future, 256);
      assert.equal(await future.result(), 256);
      assert.equal(future.done(), true);
      assert.notEqual(await executor.submit(t.workerId), t.workerName(), 'ran elsewhere');
      assert.ok(executor.workerCount <= 2);
    });

    test('a { module, name } target runs like the portable function it names', async () => {
      const executor = pool({ maxWorkers: 1 });
      assert.equal(await executor.submit<number>({ module: t.TASKS, name: 'mul' }, 6, 7), 42);
      assert.equal(await executor.submit(t.mul, 6, 7), 42);
    });

    test('functions are found by export, by function name, or (anonymous) by source', async () => {
      const executor = pool({ maxWorkers: 1 });
      assert.equal(t.triple.name, 'timesThree');
      assert.equal(await executor.submit(t.triple, 5), 15, 'named unlike its export');
      assert.equal(t.mul.name, '');
      assert.equal(await executor.submit(t.mul, 5, 4), 20, 'an anonymous arrow function');
      assert.equal(await executor.submit(t.identity, 'x'), 'x', 'named like its export');
    });

    test('async functions are awaited in the worker; results are structured clones', async () => {
      const executor = pool({ maxWorkers: 1 });
      assert.equal(await executor.submit(t.sleepMs, 5, 'late'), 'late');
      const value = { list: [1, 2], map: new Map([['k', 1]]), date: new Date(0) };
      assert.deepEqual(await executor.submit(t.identity, value), value);
    });

    test('a task sees its argument as a copy and the caller keeps the original', async () => {
      const executor = pool({ maxWorkers: 1 });
      const value = { nested: { list: [1, 2, 3] } };
      const back = await executor.submit(t.identity, value);
      assert.deepEqual(back, value);
      assert.notEqual(back, value);
    });

    test('many futures complete in any order with the right values', async () => {
      const executor = pool({ maxWorkers: 2 });
      const futures = Array.from({ length: 2000 }, (_, i) => executor.submit(t.mul, i, 2));
      assert.deepEqual(
        await Promise.all(futures),
        Array.from({ length: 2000 }, (_, i) => i * 2),
      );
      assert.ok(executor.workerCount <= 2);
    });

    test('maxWorkers defaults to os.availableParallelism() and must be an integer > 0', () => {
      assert.equal(impl.create().maxWorkers, availableParallelism());
      for (const bad of [0, -1, 1.5]) {
        assert.throws(() => impl.create({ maxWorkers: bad }), RangeError);
      }
      assert.throws(() => impl.create({ maxWorkers: '2' as unknown as number }), TypeError);
      assert.throws(() => impl.create({ maxTasksPerWorker: 0 }), RangeError);
      assert.throws(() => impl.create({ idleTimeout: -1 }), RangeError);
    });
  });

  describe(`${impl.name}: refused at the call`, SUITE, () => {
    const { pool } = executorHarness(impl);

    test('an unmarked function throws a TypeError that says how to mark it', () => {
      const executor = pool({ maxWorkers: 1 });
      assert.throws(
        () => executor.submit(t.unmarked as never, 1),
        (error: Error) =>
          error instanceof TypeError && /portable\(import\.meta\.url/.test(error.message),
      );
      assert.throws(() => executor.submit(((x: number) => x) as never, 1), TypeError);
      assert.equal(executor.workerCount, 0);
    });

    test('an argument that cannot cross throws a TypeError naming it', () => {
      const executor = pool({ maxWorkers: 1 });
      assert.throws(
        () => executor.submit(t.identity, () => 1),
        (error: Error) => error instanceof TypeError && /argument 0/.test(error.message),
      );
      assert.throws(
        () => executor.submit(t.mul, 1, new WeakMap() as unknown as number),
        (error: Error) => error instanceof TypeError && /argument 1/.test(error.message),
      );
      assert.equal(executor.workerCount, 0);
    });

    test('a portable function that is not exported fails its future, then throws at once', async () => {
      const executor = pool({ maxWorkers: 1 });
      await assert.rejects(executor.submit(t.hiddenTask.fn).result(), /not exported/);
      assert.throws(() => executor.submit(t.hiddenTask.fn), /not exported/);
      assert.equal(await executor.submit(t.mul, 2, 3), 6);
    });

    test('submitWith validates its options at the call', () => {
      const executor = pool({ maxWorkers: 1 });
      assert.throws(() => executor.submitWith({ timeout: -1 }, t.mul, 1, 2), RangeError);
      assert.throws(() => executor.submitWith({ timeout: Number.NaN }, t.mul, 1, 2), TypeError);
      assert.throws(
        () => executor.submitWith({ signal: {} as AbortSignal }, t.mul, 1, 2),
        TypeError,
      );
    });
  });

  describe(`${impl.name}: errors and values crossing back`, SUITE, () => {
    const { pool, log } = executorHarness(impl);

    test('a thrown error keeps its class name, message, stack, cause and own fields', async () => {
      const executor = pool({ maxWorkers: 1 });
      const error = (await executor
        .submit(t.failWithInventoryError, 'bolts')
        .exception()) as Error & {
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
      await assert.rejects(executor.submit(t.rejectWith, 'bad input').result(), {
        name: 'TypeError',
        message: 'bad input',
      });
      assert.equal(await executor.submit(t.mul, 3, 3), 9);
    });

    test('a result that cannot cross fails the future with a TypeError', async () => {
      const executor = pool({ maxWorkers: 1 });
      await assert.rejects(executor.submit(t.returnFunction).result(), TypeError);
    });

    test('move() sends a buffer into the worker and back (transferred where the kind can)', async () => {
      const executor = pool({ maxWorkers: 1 });
      const input = new Uint8Array(1000);
      const output = await executor.submit(t.fillBuffer, move(input), 64);
      if (impl.capabilities.movesBuffers) {
        assert.equal(input.byteLength, 0, 'the sender no longer has the moved buffer');
      } else {
        assert.equal(input.byteLength, 1000, 'the buffer was copied: the sender keeps it');
      }
      assert.ok(output instanceof Uint8Array);
      assert.equal(output.length, 64);
      assert.equal(output[0], 1000 % 256);
    });

    test('a Queue passed to tasks arrives as a handle on the same queue', async () => {
      const executor = pool({ maxWorkers: 2 });
      const queue = log();
      const workers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => executor.submit(t.putFromTask, queue, i)),
      );
      assert.ok(workers.every((worker) => worker !== t.workerName()));
      const items: number[] = [];
      while (!queue.empty()) items.push(queue.getNowait() as number);
      assert.deepEqual(
        items.sort((a, b) => a - b),
        Array.from({ length: 10 }, (_, i) => i),
      );
    });
  });

  describe(`${impl.name}: done callbacks and cancel`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test('a done callback runs once with the future, also when added after completion', async () => {
      const executor = pool({ maxWorkers: 1 });
      const seen: unknown[] = [];
      const future = executor.submit(t.mul, 5, 5);
      future.addDoneCallback((f) => seen.push(f.done() && f));
      await future;
      assert.deepEqual(seen, [future]);
      future.addDoneCallback((f) => seen.push(f));
      assert.deepEqual(seen, [future, future]);
    });

    test('cancel() removes a queued task: it never runs, and its future is cancelled', async () => {
      const executor = pool({ maxWorkers: 1 });
      const open = gate();
      const calls = log();
      const blocker = executor.submit(t.waitForGate, open, 'first');
      const queued = executor.submit(t.countCall, calls);
      assert.equal(queued.cancel(), true);
      assert.equal(queued.cancelled(), true);
      assert.equal(queued.cancel(), true, 'cancelling again still says cancelled');
      await assert.rejects(queued.result(), CancelledError);
      const seen: boolean[] = [];
      queued.addDoneCallback((f) => seen.push(f.cancelled()));
      assert.deepEqual(seen, [true]);
      open.set();
      assert.equal(await blocker, 'first');
      assert.equal(await executor.submit(t.countCall, calls), 1, 'the cancelled task never ran');
    });

    test('cancel() of a running task returns false and the task finishes', async () => {
      const executor = pool({ maxWorkers: 1 });
      const started = log();
      const open = gate();
      const running = executor.submit(t.startThenWait, started, open, 'done');
      await take(started);
      assert.equal(running.running(), true);
      assert.equal(running.cancel(), false);
      open.set();
      assert.equal(await running, 'done');
      assert.equal(running.cancel(), false);
      assert.equal(running.cancelled(), false);
    });

    test('the pool starts workers only as needed and reuses an idle one', async () => {
      const executor = pool({ maxWorkers: 4 });
      assert.equal(executor.workerCount, 0, 'no worker before the first task');
      await executor.submit(t.mul, 21, 2);
      await executor.submit(t.mul, 6, 7);
      await executor.submit(t.mul, 3, 14);
      assert.equal(executor.workerCount, 1);
    });

    test('a saturated pool runs exactly maxWorkers workers', async () => {
      const executor = pool({ maxWorkers: 4 });
      const open = gate();
      const futures = Array.from({ length: 60 }, () => executor.submit(t.waitForGate, open));
      assert.equal(executor.workerCount, 4);
      open.set();
      await Promise.all(futures);
      assert.equal(executor.workerCount, 4);
    });
  });

  describe(`${impl.name}: signals and per-task timeouts`, SUITE, () => {
    const { pool, gate, log } = executorHarness(impl);

    test('aborting a queued task removes it: it rejects with the reason and never runs', async () => {
      const executor = pool({ maxWorkers: 1 });
      const open = gate();
      const calls = log();
      const blocker = executor.submit(t.waitForGate, open, 'first');
      const controller = new AbortController();
      const queued = executor.submitWith({ signal: controller.signal }, t.countCall, calls);
      const reason = new Error('not needed any more');
      controller.abort(reason);
      await assert.rejects(queued.result(), (error) => error === reason);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
      open.set();
      await blocker;
      assert.equal(await executor.submit(t.countCall, calls), 1, 'the aborted task never ran');
    });

    test('an already-aborted signal rejects without running anything', async () => {
      const executor = pool({ maxWorkers: 1 });
      const calls = log();
      const future = executor.submitWith({ signal: AbortSignal.abort('stop') }, t.countCall, calls);
      await assert.rejects(future.result(), (error) => error === 'stop');
      assert.equal(executor.workerCount, 0);
      assert.equal(calls.qsize(), 0);
    });

    test('aborting a running task stops its worker; a new worker takes the next task', async () => {
      const executor = pool({ maxWorkers: 1 });
      const started = log();
      const controller = new AbortController();
      const firstWorker = await executor.submit(t.workerId);
      const running = executor.submitWith(
        { signal: controller.signal },
        t.startThenWait,
        started,
        gate(),
      );
      const next = executor.submit(t.workerId);
      await take(started);
      controller.abort(new Error('user gave up'));
      await assert.rejects(running.result(), { message: 'user gave up' });
      assert.notEqual(await next, firstWorker, 'the next task ran on a fresh worker');
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });

    test('a task that outlives its timeout is stopped with TimeoutError; others go on', async () => {
      const executor = pool({ maxWorkers: 1 });
      const slow = executor.submitWith({ timeout: 30 }, t.busyMs, 60_000);
      const after = executor.submit(t.mul, 2, 21);
      await assert.rejects(slow.result(), TimeoutError);
      assert.equal(await after, 42);
    });

    test('the timeout counts from the start of the task, not from the submit', async () => {
      const executor = pool({ maxWorkers: 1 });
      // A limit a trivial task's run fits in however busy the machine is (generous: no speed
      // is checked); the second task then waits in the queue for longer than that limit.
      const timeout = Math.max(1_000, 50 * (await roundTripMs(executor, t)));
      const open = gate();
      const first = executor.submit(t.waitForGate, open, 'first');
      const second = executor.submitWith({ timeout }, t.identity, 'second');
      await sleep(timeout); // a timer counted from the submit would have fired before this one
      assert.equal(second.done(), false, 'its time in the queue did not count');
      open.set();
      assert.equal(await first, 'first');
      assert.equal(await second, 'second');
    });

    test('a signal left unused is released when its task finishes', async () => {
      const executor = pool({ maxWorkers: 1 });
      const controller = new AbortController();
      const futures: Future<number>[] = [];
      for (let i = 0; i < 20; i++)
        futures.push(executor.submitWith({ signal: controller.signal }, t.mul, i, 1));
      await Promise.all(futures);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });
  });
}
