// Future: the states and transitions CPython's test_concurrent_futures/test_future.py checks,
// the awaitable form, done callbacks, and timeouts/aborts that leave no trace.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledError, Future, RuntimeError, TimeoutError } from '../src/index.js';
import { abortListeners, Cancelled, TEST_OPTIONS, tick, track } from './support/async-helpers.js';

function pending<T = number>(): Future<T> {
  return new Future<T>();
}
function running<T = number>(): Future<T> {
  const future = new Future<T>();
  assert.equal(future.setRunningOrNotifyCancel(), true);
  return future;
}
function finished<T>(value: T): Future<T> {
  const future = running<T>();
  future.setResult(value);
  return future;
}
function failed(error: unknown): Future<number> {
  const future = running();
  future.setException(error);
  return future;
}
function cancelled(): Future<number> {
  const future = pending();
  assert.equal(future.cancel(), true);
  return future;
}

describe('Future states', TEST_OPTIONS, () => {
  test('pending, running, cancelled and finished answer cancelled/running/done as CPython', () => {
    const states = [
      [pending(), false, false, false],
      [running(), false, true, false],
      [cancelled(), true, false, true],
      [finished(1), false, false, true],
      [failed(new Error('x')), false, false, true],
    ] as const;
    for (const [future, isCancelled, isRunning, isDone] of states) {
      assert.equal(future.cancelled(), isCancelled);
      assert.equal(future.running(), isRunning);
      assert.equal(future.done(), isDone);
    }
  });

  test('cancel succeeds while pending (and again), fails once running or finished', () => {
    const f = pending();
    assert.equal(f.cancel(), true);
    assert.equal(f.cancel(), true, 'cancelling a cancelled future is still true');
    assert.equal(running().cancel(), false);
    assert.equal(finished(1).cancel(), false);
    assert.equal(failed(new Error('x')).cancel(), false);
  });

  test('setRunningOrNotifyCancel: false for a cancelled future, an error for a running or done one', () => {
    assert.equal(cancelled().setRunningOrNotifyCancel(), false);
    assert.throws(() => running().setRunningOrNotifyCancel(), RuntimeError);
    assert.throws(() => finished(1).setRunningOrNotifyCancel(), RuntimeError);
  });

  test('an outcome is set once: a second one, or one on a cancelled future, is a RuntimeError', () => {
    const f = finished(1);
    assert.throws(() => f.setResult(2), RuntimeError);
    assert.throws(() => f.setException(new Error('late')), RuntimeError);
    assert.throws(() => cancelled().setResult(1), RuntimeError);
  });
});

describe('Future.result and Future.exception', TEST_OPTIONS, () => {
  test('result gives the value, exception undefined, for a finished future', async () => {
    const f = finished(42);
    assert.equal(await f.result(), 42);
    assert.equal(await f.exception(), undefined);
    assert.equal(await f, 42, 'awaiting the future gives its value');
  });

  test('result throws the error, exception returns it, for a failed future', async () => {
    const error = new RangeError('bad');
    const f = failed(error);
    await assert.rejects(f.result(), (e) => e === error);
    assert.equal(await f.exception(), error);
    await assert.rejects(Promise.resolve(f), (e) => e === error);
  });

  test('both throw CancelledError for a cancelled future', async () => {
    const f = cancelled();
    await assert.rejects(f.result(), CancelledError);
    await assert.rejects(f.exception(), CancelledError);
  });

  test('a timeout throws TimeoutError and the future goes on; timeout 0 does not wait', async () => {
    const f = running();
    await assert.rejects(f.result({ timeout: 5 }), TimeoutError);
    await assert.rejects(f.exception({ timeout: 0 }), TimeoutError);
    f.setResult(7);
    assert.equal(await f.result({ timeout: 0 }), 7);
  });

  test('waiting results are delivered when the future finishes, fails or is cancelled', async () => {
    const ok = running();
    const waiting = track(ok.result());
    await tick();
    assert.equal(waiting.state, 'pending');
    ok.setResult(3);
    assert.equal(await waiting.promise, 3);

    const bad = running();
    const error = new Error('late failure');
    const waitingError = bad.exception();
    bad.setException(error);
    assert.equal(await waitingError, error);

    const c = pending();
    const waitingCancel = c.result();
    c.cancel();
    await assert.rejects(waitingCancel, CancelledError);
  });

  test('an abort rejects with its reason and leaves no listener; bad options reject', async () => {
    const f = running();
    const controller = new AbortController();
    const waiting = f.result({ signal: controller.signal });
    assert.equal(abortListeners(controller.signal), 1);
    const reason = new Cancelled('stop');
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    assert.equal(abortListeners(controller.signal), 0);
    await assert.rejects(f.result({ timeout: -1 }), RangeError);
    f.setResult(1);
    assert.equal(await f.result(), 1, 'the aborted wait did not disturb the future');
  });
});

describe('Future.addDoneCallback', TEST_OPTIONS, () => {
  test('called once with the future when it finishes, fails or is cancelled', () => {
    const outcomes: [start: () => Future<number>, settle: (f: Future<number>) => unknown][] = [
      [running, (f) => f.setResult(1)],
      [running, (f) => f.setException(new Error('x'))],
      [pending, (f) => f.cancel()],
    ];
    for (const [start, settle] of outcomes) {
      const f = start();
      const calls: Future<number>[] = [];
      f.addDoneCallback((done) => calls.push(done));
      assert.deepEqual(calls, []);
      settle(f);
      assert.deepEqual(calls, [f]);
    }
  });

  test('added after completion, it is called at once', () => {
    const f = finished(1);
    let calls = 0;
    f.addDoneCallback(() => calls++);
    assert.equal(calls, 1);
  });

  test('callbacks run in the order added', () => {
    const f = running();
    const order: string[] = [];
    f.addDoneCallback(() => order.push('a'));
    f.addDoneCallback(() => order.push('b'));
    f.setResult(1);
    assert.deepEqual(order, ['a', 'b']);
  });

  test('a callback that throws is reported as a warning, and the others still run', async () => {
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    try {
      const f = running();
      let later = false;
      const boom = new Error('callback broke');
      f.addDoneCallback(() => {
        throw boom;
      });
      f.addDoneCallback(() => {
        later = true;
      });
      f.setResult(1);
      assert.equal(later, true);
      await tick(2);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.name, 'FutureCallbackError');
      assert.equal(warnings[0]!.cause, boom);
    } finally {
      process.off('warning', listener);
    }
  });

  test('a callback must be a function', () => {
    assert.throws(() => pending().addDoneCallback('nope' as never), TypeError);
  });
});
