// The waiter core (src/core/waiter.ts): every primitive parks its callers in a WaiterQueue, so the
// settle-once, leave-at-once and no-listener-left guarantees are checked here, once, at the source.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Waiter, WaiterQueue } from '../src/core/waiter.js';
import { spawn } from '../src/index.js';
import {
  abortListeners,
  assertBlocks,
  Cancelled,
  TEST_OPTIONS,
  taskObservers,
  tick,
  track,
  until,
} from './support/async-helpers.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

function neverCalled(): never {
  throw new Error('onTimeout must not run for this wait');
}

/** The queue's waiters walked head to tail and tail to head; both walks must agree. */
function linkedData<T>(queue: WaiterQueue<T>): unknown[] {
  const forward = [...queue].map((waiter) => waiter.data);
  const backward: unknown[] = [];
  let tail = queue.peek();
  while (tail?.next) tail = tail.next;
  for (let waiter = tail; waiter !== null; waiter = waiter.prev) backward.unshift(waiter.data);
  assert.deepEqual(backward, forward, 'prev links disagree with next links');
  assert.equal(forward.length, queue.length, 'length disagrees with the links');
  for (const waiter of queue) assert.equal(waiter.queue, queue);
  return forward;
}

describe('WaiterQueue', TEST_OPTIONS, () => {
  test('wakes waiters in the order they parked', async () => {
    const queue = new WaiterQueue<string>();
    const parked = ['a', 'b', 'c'].map((name) => queue.wait(undefined, neverCalled, name));
    assert.deepEqual(linkedData(queue), ['a', 'b', 'c']);
    for (const value of ['first', 'second', 'third']) assert.equal(queue.wakeFirst(value), true);
    assert.deepEqual(await Promise.all(parked), ['first', 'second', 'third']);
    assert.equal(queue.length, 0);
  });

  test('wakeFirst on an empty queue returns false', () => {
    const queue = new WaiterQueue<number>();
    assert.equal(queue.wakeFirst(1), false);
    assert.equal(queue.shift(), null);
    assert.equal(queue.peek(), null);
  });

  test('wakeFirst hands the value to the first live waiter and leaves the others parked', async () => {
    const queue = new WaiterQueue<number>();
    // A waiter that is linked but already settled, as a select branch is once its group settled.
    const dead = new Waiter<number>();
    dead.settled = true;
    queue.push(dead);
    const first = track(queue.wait(undefined, neverCalled, 'first'));
    const second = track(queue.wait(undefined, neverCalled, 'second'));
    assert.equal(queue.wakeFirst(7), true);
    assert.equal(dead.queue, null, 'the dead waiter was unlinked on the way');
    assert.deepEqual(linkedData(queue), ['second']);
    await tick();
    assert.equal(first.value, 7);
    assert.equal(second.state, 'pending');
    assert.equal(queue.wake(5, 8), 1, 'wake(n) reports how many took the value');
    await tick();
    assert.equal(second.value, 8);
    assert.equal(queue.wakeFirst(9), false, 'nobody left to take it');
  });

  test('wakeAll and rejectAll settle every parked waiter', async () => {
    const queue = new WaiterQueue<string>();
    const woken = [queue.wait(undefined, neverCalled), queue.wait(undefined, neverCalled)];
    queue.wakeAll('go');
    assert.deepEqual(await Promise.all(woken), ['go', 'go']);
    const reason = new Cancelled('stop');
    const refused = [queue.wait(undefined, neverCalled), queue.wait(undefined, neverCalled)];
    queue.rejectAll(reason);
    assert.equal(queue.length, 0);
    for (const promise of refused) await assert.rejects(promise, (err) => err === reason);
  });

  test('a waiter removed from the middle, the head or the tail leaves the links right', async () => {
    const queue = new WaiterQueue<string>();
    const controllers = [0, 1, 2, 3, 4].map(() => new AbortController());
    const parked = controllers.map((controller, i) =>
      track(queue.wait({ signal: controller.signal }, neverCalled, i)),
    );
    controllers[2]!.abort(new Cancelled('middle'));
    assert.deepEqual(linkedData(queue), [0, 1, 3, 4]);
    controllers[0]!.abort(new Cancelled('head'));
    assert.deepEqual(linkedData(queue), [1, 3, 4]);
    controllers[4]!.abort(new Cancelled('tail'));
    assert.deepEqual(linkedData(queue), [1, 3]);
    // A newcomer links behind the new tail.
    const newcomer = track(queue.wait(undefined, neverCalled, 5));
    assert.deepEqual(linkedData(queue), [1, 3, 5]);
    assert.equal(queue.wakeFirst('one'), true);
    assert.deepEqual(linkedData(queue), [3, 5]);
    controllers[3]!.abort(new Cancelled('last'));
    assert.deepEqual(linkedData(queue), [5]);
    assert.equal(queue.wakeFirst('five'), true);
    assert.deepEqual(linkedData(queue), []);
    assert.equal(queue.peek(), null);
    await tick();
    assert.deepEqual(
      parked.map((p) => p.state),
      ['rejected', 'fulfilled', 'rejected', 'rejected', 'rejected'],
    );
    assert.equal(newcomer.value, 'five');
    // The emptied queue still works from scratch.
    const again = queue.wait(undefined, neverCalled, 'again');
    assert.deepEqual(linkedData(queue), ['again']);
    queue.wakeFirst('ok');
    assert.equal(await again, 'ok');
  });

  test('the data a caller brings is readable by the primitive that wakes it', async () => {
    const queue = new WaiterQueue<void>();
    const offer = { item: 42 };
    const parked = queue.wait(undefined, neverCalled, offer);
    const waiter = queue.shift()!;
    assert.equal(waiter.data, offer);
    assert.equal(waiter.resolve(undefined), true);
    await parked;
  });
});

describe('Waiter settles exactly once', TEST_OPTIONS, () => {
  test('a resolve after a resolve or a reject changes nothing and returns false', async () => {
    const queue = new WaiterQueue<number>();
    const waiter = new Waiter<number>();
    const parked = waiter.park(queue, undefined, neverCalled);
    assert.equal(waiter.resolve(1), true);
    assert.equal(waiter.settled, true);
    assert.equal(waiter.resolve(2), false);
    assert.equal(waiter.reject(new Cancelled('late')), false);
    assert.equal(await parked, 1);
    assert.equal(queue.length, 0, 'resolving unlinked it');
  });

  test('a reject after a reject or a resolve changes nothing and returns false', async () => {
    const queue = new WaiterQueue<number>();
    const waiter = new Waiter<number>();
    const parked = waiter.park(queue, undefined, neverCalled);
    const reason = new Cancelled('first');
    assert.equal(waiter.reject(reason), true);
    assert.equal(queue.length, 0, 'rejecting unlinked it');
    assert.equal(waiter.reject(new Cancelled('second')), false);
    assert.equal(waiter.resolve(3), false);
    await assert.rejects(parked, (err) => err === reason);
  });

  test('a waiter refused by an aborted signal counts as settled: a later hand-off skips it', async () => {
    const waiter = new Waiter<number>();
    const refused = waiter.park(
      null,
      { signal: AbortSignal.abort(new Cancelled('x')) },
      neverCalled,
    );
    await assert.rejects(refused, Cancelled);
    assert.equal(waiter.settled, true);
    assert.equal(waiter.resolve(1), false, 'nothing is handed to a wait that never parked');
  });

  test('a timed-out waiter ignores a later resolve, and an aborted one a later timeout', async () => {
    const queue = new WaiterQueue<string>();
    const timedOut = new Waiter<string>();
    const late = timedOut.park(queue, { timeout: 5 }, () => 'timed out');
    assert.equal(await late, 'timed out');
    assert.equal(timedOut.resolve('too late'), false);

    const controller = new AbortController();
    let timeouts = 0;
    const aborted = track(
      queue.wait({ timeout: 5, signal: controller.signal }, () => String(++timeouts)),
    );
    controller.abort(new Cancelled('aborted'));
    await new Promise((resolve) => setTimeout(resolve, 15));
    assert.equal(aborted.state, 'rejected');
    assert.equal(timeouts, 0, 'the timer was dropped when the abort settled it');
  });
});

describe('Waiter timeouts', TEST_OPTIONS, () => {
  test('settle with what onTimeout returns, after leaving the queue', async () => {
    const queue = new WaiterQueue<string>();
    const seen: { length: number; linked: boolean }[] = [];
    const stays = track(queue.wait(undefined, neverCalled, 'stays'));
    const parked = queue.wait(
      { timeout: 5 },
      (waiter) => {
        seen.push({ length: queue.length, linked: waiter.queue !== null });
        return 'gave up';
      },
      'leaves',
    );
    assert.equal(queue.length, 2);
    assert.equal(await parked, 'gave up');
    assert.deepEqual(seen, [{ length: 1, linked: false }]);
    assert.deepEqual(linkedData(queue), ['stays']);
    queue.wakeFirst('done');
    assert.equal(await stays.promise, 'done');
  });

  test('reject with what onTimeout throws', async () => {
    const queue = new WaiterQueue<string>();
    const failure = new Cancelled('no item in time');
    const parked = queue.wait({ timeout: 5 }, () => {
      throw failure;
    });
    await assert.rejects(parked, (err) => err === failure);
    assert.equal(queue.length, 0);
  });

  test('timeout 0 settles through onTimeout without ever queueing', async () => {
    const queue = new WaiterQueue<string>();
    let lengthDuringTimeout = -1;
    const parked = queue.wait({ timeout: 0 }, () => {
      lengthDuringTimeout = queue.length;
      return 'not now';
    });
    assert.equal(lengthDuringTimeout, 0);
    assert.equal(queue.length, 0);
    assert.equal(await parked, 'not now');
    const failure = new Cancelled('empty');
    await assert.rejects(
      queue.wait({ timeout: 0 }, () => {
        throw failure;
      }),
      (err) => err === failure,
    );
    assert.equal(queue.length, 0);
  });

  test('Infinity means no timer at all', async () => {
    const queue = new WaiterQueue<number>();
    const parked = track(queue.wait({ timeout: Number.POSITIVE_INFINITY }, neverCalled));
    await assertBlocks(parked, 'a wait with an infinite timeout');
    queue.wakeFirst(1);
    assert.equal(await parked.promise, 1);
  });

  test('a timeout beyond setTimeout’s limit does not fire early (real timers)', async () => {
    // Handed to setTimeout as is, 3e9 ms would overflow and fire after 1 ms.
    const queue = new WaiterQueue<string>();
    const parked = track(queue.wait({ timeout: 3e9 }, () => 'fired'));
    await assertBlocks(parked, 'a wait with a 3e9 ms timeout', 30);
    assert.equal(queue.length, 1);
    queue.wakeFirst('woken');
    assert.equal(await parked.promise, 'woken');
  });

  test('a timeout beyond setTimeout’s limit is reached in steps (mock clock)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    t.mock.method(performance, 'now', () => Date.now());
    const delays = t.mock.method(globalThis, 'setTimeout');
    const queue = new WaiterQueue<string>();
    const parked = track(queue.wait({ timeout: 3e9 }, () => 'fired'));
    const armedWith = () => delays.mock.calls.map((call) => call.arguments[1]);
    assert.deepEqual(armedWith(), [MAX_TIMER_MS]);
    t.mock.timers.tick(MAX_TIMER_MS);
    await tick();
    assert.equal(parked.state, 'pending', 'the first step must not settle it');
    assert.deepEqual(armedWith(), [MAX_TIMER_MS, 3e9 - MAX_TIMER_MS], 're-armed for the rest');
    t.mock.timers.tick(3e9 - MAX_TIMER_MS - 1);
    await tick();
    assert.equal(parked.state, 'pending', 'one millisecond before the deadline');
    t.mock.timers.tick(1);
    assert.equal(await parked.promise, 'fired');
    assert.equal(queue.length, 0);
  });
});

describe('Waiter aborts', TEST_OPTIONS, () => {
  test('an abort unlinks at once and rejects with the signal’s reason', async () => {
    const queue = new WaiterQueue<number>();
    const controller = new AbortController();
    const parked = queue.wait({ signal: controller.signal }, neverCalled);
    assert.equal(queue.length, 1);
    const reason = new Cancelled('stop');
    controller.abort(reason);
    assert.equal(queue.length, 0, 'left the queue inside abort()');
    await assert.rejects(parked, (err) => err === reason);
  });

  test('an already-aborted signal rejects without ever queueing or listening', async () => {
    const queue = new WaiterQueue<number>();
    const reason = new Cancelled('before');
    const signal = AbortSignal.abort(reason);
    const parked = queue.wait({ signal, timeout: 5 }, neverCalled);
    assert.equal(queue.length, 0);
    assert.equal(abortListeners(signal), 0);
    await assert.rejects(parked, (err) => err === reason);
  });

  test('no abort listener is left after a resolve, a timeout or an abort', async () => {
    const queue = new WaiterQueue<string>();
    const controller = new AbortController();
    const { signal } = controller;
    const resolved = queue.wait({ signal }, neverCalled);
    const timedOut = queue.wait({ signal, timeout: 5 }, () => 'timed out');
    const aborted = track(queue.wait({ signal }, neverCalled));
    assert.equal(abortListeners(signal), 3, 'one listener per parked waiter');
    queue.wakeFirst('woken');
    assert.equal(await resolved, 'woken');
    assert.equal(abortListeners(signal), 2);
    assert.equal(await timedOut, 'timed out');
    assert.equal(abortListeners(signal), 1);
    controller.abort(new Cancelled('stop'));
    assert.equal(abortListeners(signal), 0);
    await aborted.promise.catch(() => {});
    assert.equal(aborted.state, 'rejected');
  });
});

describe('Waiter inside a task', TEST_OPTIONS, () => {
  test('killing the task rejects its parked waiter with the kill reason', async () => {
    const queue = new WaiterQueue<number>();
    const task = spawn(() => queue.wait(undefined, neverCalled));
    await until(() => queue.length === 1, 'the task parked');
    assert.equal(taskObservers(task), 1);
    const reason = new Cancelled('killed');
    await task.kill(reason);
    assert.equal(task.exception, reason);
    assert.equal(queue.length, 0);
    assert.equal(taskObservers(task), 0);
  });

  test('a normal resolve removes the listener on the task’s signal', async () => {
    const queue = new WaiterQueue<number>();
    const user = new AbortController();
    const task = spawn(() => queue.wait({ signal: user.signal }, neverCalled));
    await until(() => queue.length === 1, 'the task parked');
    assert.equal(taskObservers(task), 1);
    assert.equal(abortListeners(user.signal), 1);
    queue.wakeFirst(5);
    assert.equal(await task, 5);
    assert.equal(taskObservers(task), 0);
    assert.equal(abortListeners(user.signal), 0);
  });

  test('waitIgnoringTask is not interrupted by a kill', async () => {
    const queue = new WaiterQueue<string>();
    const task = spawn(() => queue.waitIgnoringTask('restore'));
    await until(() => queue.length === 1, 'the task parked');
    assert.equal(taskObservers(task), 0, 'it does not even listen');
    const killed = task.kill(new Cancelled('killed'));
    await tick(3);
    assert.equal(queue.length, 1, 'still parked after the kill');
    assert.equal(task.ready(), false);
    assert.equal(queue.peek()!.data, 'restore');
    queue.wakeFirst('handed over');
    await killed;
    assert.equal(task.value, 'handed over');
  });
});
