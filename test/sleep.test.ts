// sleep and withTimeout: waits for time on the waiter core, observing signals and the task's kill,
// and leaving no timer or listener behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Event, Queue, sleep, spawn, TimeoutError, withTimeout } from '../src/index.js';
import {
  abortListeners,
  Cancelled,
  TEST_OPTIONS,
  taskObservers,
  tick,
  track,
  until,
} from './support/async-helpers.js';

/** How many timers are keeping the event loop alive now. */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('sleep', TEST_OPTIONS, () => {
  test('resolves after the time has passed', async () => {
    const slept = track(sleep(10));
    await tick();
    assert.equal(slept.state, 'pending');
    assert.equal(await slept.promise, undefined);
  });

  test('sleep(0) yields: callbacks queued for the next turn run first', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('queued before'));
    await sleep(0);
    order.push('after sleep(0)');
    assert.deepEqual(order, ['queued before', 'after sleep(0)']);
  });

  test('a signal wakes it early with its reason, and the timer and listener are gone', async () => {
    const controller = new AbortController();
    const before = timers();
    const slept = sleep(60_000, { signal: controller.signal });
    assert.equal(timers(), before + 1);
    assert.equal(abortListeners(controller.signal), 1);
    const reason = new Cancelled('wake up');
    controller.abort(reason);
    await assert.rejects(slept, reason);
    assert.equal(timers(), before);
    assert.equal(abortListeners(controller.signal), 0);
    await assert.rejects(sleep(10, { signal: controller.signal }), reason, 'already aborted');
    await assert.rejects(sleep(0, { signal: controller.signal }), reason);
  });

  test('inside a task, a kill ends the sleep with the kill reason', async () => {
    const task = spawn(() => sleep(60_000));
    await until(() => taskObservers(task) === 1, 'the task sleeps');
    const reason = new Cancelled('killed');
    await task.kill(reason);
    assert.equal(task.exception, reason);
    assert.equal(taskObservers(task), 0);
  });

  test('bad arguments reject', async () => {
    await assert.rejects(sleep(-1), RangeError);
    await assert.rejects(sleep(Number.NaN), TypeError);
    await assert.rejects(sleep('10' as never), TypeError);
    await assert.rejects(sleep(1, { signal: 'no' as never }), TypeError);
    await assert.rejects(sleep(1, 5 as never), TypeError);
  });
});

describe('withTimeout', TEST_OPTIONS, () => {
  test('gives the value or the error of work that settles in time, and clears its timer', async () => {
    const before = timers();
    assert.equal(await withTimeout(1000, Promise.resolve(42)), 42);
    const error = new Error('failed in time');
    await assert.rejects(withTimeout(1000, Promise.reject(error)), error);
    assert.equal(await withTimeout(1000, async () => 'from a function'), 'from a function');
    assert.equal(await withTimeout(1000, () => 'synchronous'), 'synchronous');
    assert.equal(timers(), before, 'no timer left');
  });

  test('rejects with a weft TimeoutError when the time runs out first', async () => {
    const late = track(withTimeout(5, new Promise(() => {})));
    await assert.rejects(late.promise, (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal((error as Error).name, 'TimeoutError');
      assert.match((error as Error).message, /5 ms/);
      return true;
    });
  });

  test('the function gets a signal that aborts with the TimeoutError, so the work stops', async () => {
    const queue = new Queue<number>();
    let seen: AbortSignal | undefined;
    const outcome = withTimeout(5, (signal) => {
      seen = signal;
      return queue.get({ signal });
    });
    await assert.rejects(outcome, TimeoutError);
    assert.equal(seen!.aborted, true);
    assert.ok(seen!.reason instanceof TimeoutError);
    queue.putNowait(1);
    assert.equal(queue.qsize(), 1, 'the aborted get took nothing');
  });

  test('when the work wins, its signal is never aborted', async () => {
    let seen: AbortSignal | undefined;
    await withTimeout(1000, async (signal) => {
      seen = signal;
      await tick();
    });
    await sleep(2);
    assert.equal(seen!.aborted, false);
  });

  test('a synchronous throw from the function rejects with it', async () => {
    const error = new Error('thrown at once');
    await assert.rejects(
      withTimeout(1000, () => {
        throw error;
      }),
      error,
    );
  });

  test('work that fails after the deadline is not an unhandled rejection', async () => {
    let fail!: (error: Error) => void;
    const work = new Promise<never>((_, reject) => {
      fail = reject;
    });
    await assert.rejects(withTimeout(2, work), TimeoutError);
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      fail(new Error('too late'));
      await tick(2);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  test('0 ms still lets work that is already done win; Infinity means no limit', async () => {
    assert.equal(await withTimeout(0, Promise.resolve('ready')), 'ready');
    await assert.rejects(withTimeout(0, new Promise(() => {})), TimeoutError);
    const before = timers();
    const unlimited = withTimeout(
      Number.POSITIVE_INFINITY,
      sleep(5).then(() => 'done'),
    );
    assert.equal(timers(), before + 1, 'only the sleep has a timer');
    assert.equal(await unlimited, 'done');
  });

  test('inside a task, a kill rejects with the kill reason and aborts the work too', async () => {
    let seen: AbortSignal | undefined;
    const event = new Event();
    const task = spawn(() =>
      withTimeout(60_000, (signal) => {
        seen = signal;
        return event.wait({ signal });
      }),
    );
    await until(() => seen !== undefined, 'the work started');
    const reason = new Cancelled('killed');
    await task.kill(reason);
    assert.equal(task.exception, reason);
    assert.equal(seen!.aborted, true);
    assert.equal(seen!.reason, reason);
    assert.equal(taskObservers(task), 0);
  });

  test('bad arguments reject', async () => {
    await assert.rejects(withTimeout(-1, Promise.resolve(1)), RangeError);
    await assert.rejects(withTimeout('1' as never, Promise.resolve(1)), TypeError);
    await assert.rejects(withTimeout(10, 42 as never), TypeError);
  });
});
