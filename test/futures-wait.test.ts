// asCompleted and wait: the behaviours of CPython's test_concurrent_futures/test_as_completed.py
// and test_wait.py, on futures settled by hand (no executor needed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asCompleted, type CompletedFuture, Future, TimeoutError, wait } from '../src/index.js';
import { abortListeners, Cancelled, TEST_OPTIONS, tick } from './support/async-helpers.js';

function running(): Future<number> {
  const future = new Future<number>();
  future.setRunningOrNotifyCancel();
  return future;
}
function finished(value: number): Future<number> {
  const future = running();
  future.setResult(value);
  return future;
}
function failed(): Future<number> {
  const future = running();
  future.setException(new Error('failed'));
  return future;
}
function cancelled(): Future<number> {
  const future = new Future<number>();
  future.cancel();
  return future;
}
/** Settles `future` with `value` after `ms`. */
function later(future: Future<number>, value: number, ms: number): void {
  setTimeout(() => future.setResult(value), ms);
}

async function collect(
  it: AsyncIterable<CompletedFuture<number>>,
): Promise<CompletedFuture<number>[]> {
  const out: CompletedFuture<number>[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('asCompleted', TEST_OPTIONS, () => {
  test('yields the done futures first, then the others as they complete', async () => {
    const done = finished(1);
    const c = cancelled();
    const slow = running();
    const fast = running();
    later(slow, 3, 20);
    later(fast, 2, 5);
    const order = await collect(asCompleted([slow, done, fast, c]));
    assert.deepEqual(order.slice(0, 2), [done, c]);
    assert.deepEqual(order.slice(2), [fast, slow]);
  });

  test('a future given twice is yielded once', async () => {
    const f = finished(1);
    const g = running();
    later(g, 2, 2);
    assert.deepEqual(await collect(asCompleted([f, f, g, g])), [f, g]);
  });

  test('a timeout yields what completed in time, then throws TimeoutError naming the rest', async () => {
    const done = finished(1);
    const never = running();
    const seen: CompletedFuture<number>[] = [];
    await assert.rejects(
      (async () => {
        for await (const f of asCompleted([done, never], { timeout: 10 })) seen.push(f);
      })(),
      (err: Error) =>
        err instanceof TimeoutError && /1 \(of 2\) futures unfinished/.test(err.message),
    );
    assert.deepEqual(seen, [done]);
  });

  test('timeout 0 still yields the futures already done', async () => {
    const done = finished(1);
    const seen: CompletedFuture<number>[] = [];
    await assert.rejects(
      (async () => {
        for await (const f of asCompleted([done, running()], { timeout: 0 })) seen.push(f);
      })(),
      TimeoutError,
    );
    assert.deepEqual(seen, [done]);
  });

  test('breaking out of the loop stops following the rest (nothing is yielded later)', async () => {
    const first = finished(1);
    const rest = running();
    const iterator = asCompleted([first, rest]);
    for await (const f of iterator) {
      assert.equal(f, first);
      break;
    }
    rest.setResult(2);
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  });

  test('an abort throws its reason and leaves no listener', async () => {
    const controller = new AbortController();
    const iterator = asCompleted([running()], { signal: controller.signal });
    const next = iterator.next();
    await tick();
    assert.equal(abortListeners(controller.signal), 1);
    const reason = new Cancelled('stop');
    controller.abort(reason);
    await assert.rejects(next, (e) => e === reason);
    assert.equal(abortListeners(controller.signal), 0);
  });

  test('refuses what is not an iterable of futures, and bad options', async () => {
    assert.throws(() => asCompleted(42 as never), TypeError);
    assert.throws(
      () => asCompleted([Promise.resolve(1)] as never),
      /futures\[0\] must be a weft Future/,
    );
    assert.throws(() => asCompleted([], { timeout: -1 }), RangeError);
  });
});

describe('wait', TEST_OPTIONS, () => {
  test('ALL_COMPLETED (the default) waits for every future', async () => {
    const a = running();
    const b = finished(1);
    later(a, 2, 5);
    const { done, notDone } = await wait([a, b]);
    assert.deepEqual(new Set(done), new Set([a, b]));
    assert.equal(notDone.size, 0);
  });

  test('FIRST_COMPLETED returns as soon as one is done', async () => {
    const fast = running();
    const slow = running();
    later(fast, 1, 2);
    const { done, notDone } = await wait([fast, slow], { returnWhen: 'FIRST_COMPLETED' });
    assert.deepEqual([...done], [fast]);
    assert.deepEqual([...notDone], [slow]);
    slow.setResult(2);
  });

  test('FIRST_COMPLETED with one already done returns at once', async () => {
    const f = finished(1);
    const never = running();
    const { done, notDone } = await wait([never, f], { returnWhen: 'FIRST_COMPLETED' });
    assert.deepEqual([...done], [f]);
    assert.deepEqual([...notDone], [never]);
  });

  test('FIRST_EXCEPTION returns at the first failure; cancellation does not count', async () => {
    const ok = finished(1);
    const c = cancelled();
    const bad = running();
    const never = running();
    setTimeout(() => bad.setException(new Error('boom')), 5);
    const { done, notDone } = await wait([ok, c, bad, never], { returnWhen: 'FIRST_EXCEPTION' });
    assert.deepEqual(new Set(done), new Set([ok, c, bad]));
    assert.deepEqual([...notDone], [never]);
  });

  test('FIRST_EXCEPTION without failures waits for all', async () => {
    const a = running();
    later(a, 1, 3);
    const { done, notDone } = await wait([a, cancelled()], { returnWhen: 'FIRST_EXCEPTION' });
    assert.equal(done.size, 2);
    assert.equal(notDone.size, 0);
  });

  test('FIRST_EXCEPTION with a failure already there returns at once', async () => {
    const bad = failed();
    const never = running();
    const { done, notDone } = await wait([never, bad], { returnWhen: 'FIRST_EXCEPTION' });
    assert.deepEqual([...done], [bad]);
    assert.deepEqual([...notDone], [never]);
  });

  test('a timeout returns the split at that moment and never throws', async () => {
    const f = finished(1);
    const never = running();
    const { done, notDone } = await wait([f, never], { timeout: 10 });
    assert.deepEqual([...done], [f]);
    assert.deepEqual([...notDone], [never]);
  });

  test('an empty list returns at once; a bad returnWhen is a TypeError', async () => {
    const { done, notDone } = await wait([]);
    assert.equal(done.size + notDone.size, 0);
    await assert.rejects(wait([], { returnWhen: 'SOMETIMES' as never }), TypeError);
  });

  test('an abort rejects with its reason', async () => {
    const controller = new AbortController();
    const waiting = wait([running()], { signal: controller.signal });
    await tick();
    const reason = new Cancelled('stop');
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    assert.equal(abortListeners(controller.signal), 0);
  });
});
