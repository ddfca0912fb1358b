// Exchange: the Cookbook's publish/subscribe exchange (recipe 12.11) — fan-out in attach
// order, detach, subscribe() as a Disposable, actors and queues as subscribers, and one
// failing subscriber never keeping the message from the others.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Actor,
  Exchange,
  getExchange,
  Queue,
  RuntimeError,
  type Subscriber,
} from '../src/index.js';
import { assertBlocks, TEST_OPTIONS, tick, track, until } from './support/async-helpers.js';

/** Collects every unhandled rejection while a test runs. */
function watchUnhandled(t: { after(fn: () => void): void }): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  t.after(() => process.off('unhandledRejection', listener));
  return seen;
}

/** A subscriber that logs "<name>:<msg>" into a shared log (the Cookbook's DisplayMessages). */
function recorder(name: string, log: string[]) {
  return { send: (msg: string) => void log.push(`${name}:${msg}`) };
}

class Boom extends Error {}

describe('Exchange: fan-out', TEST_OPTIONS, () => {
  test('send() delivers each message to every subscriber, in attach order', async () => {
    const exc = new Exchange<string>();
    const log: string[] = [];
    for (const name of ['a', 'b', 'c']) exc.attach(recorder(name, log));
    await exc.send('m1');
    await exc.send('m2');
    assert.deepEqual(log, ['a:m1', 'b:m1', 'c:m1', 'a:m2', 'b:m2', 'c:m2']);
  });

  test('sending to an exchange with no subscribers is fine', async () => {
    await new Exchange<number>().send(1);
  });

  test('attaching twice delivers once (a set); has() and size follow attach/detach', async () => {
    const exc = new Exchange<string>();
    const log: string[] = [];
    const a = recorder('a', log);
    exc.attach(a);
    exc.attach(a);
    assert.equal(exc.size, 1);
    assert.equal(exc.has(a), true);
    await exc.send('once');
    assert.deepEqual(log, ['a:once']);
  });

  test('a detached subscriber gets nothing more; detaching an unknown one is a RuntimeError', async () => {
    const exc = new Exchange<string>({ name: 'news' });
    const log: string[] = [];
    const a = recorder('a', log);
    const b = recorder('b', log);
    exc.attach(a);
    exc.attach(b);
    await exc.send('both');
    exc.detach(a);
    await exc.send('only b');
    assert.deepEqual(log, ['a:both', 'b:both', 'b:only b']);
    assert.throws(
      () => exc.detach(a),
      (err: Error) =>
        err instanceof RuntimeError && /news\.detach\(\).*not attached/.test(err.message),
    );
    assert.equal(exc.has(a), false);
  });

  test('a subscriber attached during a delivery gets the next message, not the current one', async () => {
    const exc = new Exchange<string>();
    const log: string[] = [];
    const late = recorder('late', log);
    exc.attach({
      send: (msg: string) => {
        log.push(`first:${msg}`);
        exc.attach(late);
      },
    });
    await exc.send('m1');
    await exc.send('m2');
    assert.deepEqual(log, ['first:m1', 'first:m2', 'late:m2']);
  });

  test('actors, queues (by put) and other exchanges are subscribers', async () => {
    const exc = new Exchange<string>();
    const got: string[] = [];
    const actor = new Actor<string>({ handler: (msg) => void got.push(msg) }).start();
    const queue = new Queue<string>();
    const downstream = new Exchange<string>();
    const log: string[] = [];
    downstream.attach(recorder('down', log));
    exc.attach(actor);
    exc.attach(queue);
    exc.attach(downstream);
    await exc.send('hello');
    assert.equal(queue.getNowait(), 'hello');
    assert.deepEqual(log, ['down:hello']);
    actor.close();
    await actor.join();
    assert.deepEqual(got, ['hello']);
  });

  test('send() waits for a bounded subscriber to take the message (backpressure)', async () => {
    const exc = new Exchange<number>();
    const queue = new Queue<number>(1);
    exc.attach(queue);
    await exc.send(1);
    const blocked = track(exc.send(2));
    await assertBlocks(blocked, 'a send to a full queue subscriber');
    assert.equal(queue.getNowait(), 1);
    await blocked.promise;
    assert.equal(queue.getNowait(), 2);
  });

  test('anything without send() or put() is refused at attach with a TypeError', () => {
    const exc = new Exchange<string>();
    for (const bad of [null, 42, {}, { send: 'no' }]) {
      assert.throws(() => exc.attach(bad as unknown as Subscriber<string>), TypeError);
    }
    assert.throws(() => exc.subscribe({} as unknown as Subscriber<string>), TypeError);
    assert.equal(exc.size, 0);
  });
});

describe('Exchange: subscribe()', TEST_OPTIONS, () => {
  test('attaches for the block of a `using` and detaches at its end', async () => {
    const exc = new Exchange<string>();
    const log: string[] = [];
    const a = recorder('a', log);
    const b = recorder('b', log);
    {
      using _subscription = exc.subscribe(a, b);
      await exc.send('inside');
    }
    await exc.send('outside');
    assert.deepEqual(log, ['a:inside', 'b:inside']);
    assert.equal(exc.size, 0);
  });

  test('detaches on the way out of a block that throws', async () => {
    const exc = new Exchange<string>();
    const a = recorder('a', []);
    assert.throws(() => {
      using _subscription = exc.subscribe(a);
      throw new Boom('body failed');
    }, Boom);
    assert.equal(exc.has(a), false);
  });

  test('leaves subscribers attached before it alone; disposing twice or after a detach is harmless', () => {
    const exc = new Exchange<string>();
    const kept = recorder('kept', []);
    const temp = recorder('temp', []);
    exc.attach(kept);
    const subscription = exc.subscribe(kept, temp, temp);
    assert.equal(exc.size, 2);
    subscription[Symbol.dispose]();
    assert.equal(exc.has(kept), true, 'attached before subscribe(): still attached');
    assert.equal(exc.has(temp), false);
    subscription[Symbol.dispose]();
    const again = exc.subscribe(temp);
    exc.detach(temp);
    again[Symbol.dispose]();
    assert.equal(exc.size, 1);
  });
});

describe('Exchange: failing subscribers', TEST_OPTIONS, () => {
  test('one throwing or rejecting subscriber does not stop the others; send() rejects with an AggregateError', async (t) => {
    const unhandled = watchUnhandled(t);
    const exc = new Exchange<string>({ name: 'alerts' });
    const log: string[] = [];
    const syncBoom = new Boom('sync');
    const asyncBoom = new Boom('async');
    exc.attach(recorder('a', log));
    exc.attach({
      send: () => {
        throw syncBoom;
      },
    });
    exc.attach(recorder('b', log));
    exc.attach({ send: async () => Promise.reject(asyncBoom) });
    exc.attach(recorder('c', log));
    await assert.rejects(exc.send('m'), (err: Error) => {
      assert.ok(err instanceof AggregateError);
      assert.deepEqual(err.errors, [syncBoom, asyncBoom]);
      assert.match(err.message, /alerts\.send\(\): 2 of 5 subscribers failed/);
      return true;
    });
    assert.deepEqual(log, ['a:m', 'b:m', 'c:m']);
    await tick(3);
    assert.deepEqual(unhandled, []);
  });

  test('errors are listed in attach order, whichever failed first', async () => {
    const exc = new Exchange<string>();
    const first = new Boom('first attached, fails last');
    const second = new Boom('second attached, fails at once');
    exc.attach({
      send: async () => {
        await tick(2);
        throw first;
      },
    });
    exc.attach({
      send: () => {
        throw second;
      },
    });
    await assert.rejects(exc.send('m'), (err: AggregateError) => {
      assert.deepEqual(err.errors, [first, second]);
      return true;
    });
  });

  test('with onError, each failure is reported there and send() resolves', async () => {
    const reports: [unknown, unknown, string][] = [];
    const exc = new Exchange<string>({
      onError: (error, subscriber, msg) => reports.push([error, subscriber, msg]),
    });
    const boom = new Boom('x');
    const bad = { send: async () => Promise.reject(boom) };
    const log: string[] = [];
    exc.attach(bad);
    exc.attach(recorder('ok', log));
    await exc.send('m');
    assert.deepEqual(reports, [[boom, bad, 'm']]);
    assert.deepEqual(log, ['ok:m']);
  });

  test('a closed actor or a shut-down queue among the subscribers is reported, the others still get the message', async () => {
    const exc = new Exchange<string>();
    const closed = new Actor<string>({ handler: () => {} });
    closed.close();
    const shut = new Queue<string>();
    shut.shutdown();
    const open = new Queue<string>();
    exc.attach(closed);
    exc.attach(shut);
    exc.attach(open);
    await assert.rejects(exc.send('m'), (err: AggregateError) => err.errors.length === 2);
    assert.equal(open.getNowait(), 'm');
  });
});

describe('getExchange()', TEST_OPTIONS, () => {
  test('returns the one exchange of a name; other names get other exchanges', async () => {
    const name = `test-${process.pid}-registry`;
    const first = getExchange<string>(name);
    assert.equal(getExchange<string>(name), first);
    assert.equal(first.name, name);
    assert.notEqual(getExchange(`${name}-other`), first);
    const got: string[] = [];
    const queue = new Queue<string>();
    first.attach(queue);
    await getExchange<string>(name).send('found by name');
    got.push(queue.getNowait());
    assert.deepEqual(got, ['found by name']);
    assert.throws(() => getExchange(42 as unknown as string), TypeError);
  });

  test('a subscriber actor sees the messages of every publisher in send order', async () => {
    const exc = getExchange<number>(`test-${process.pid}-actors`);
    const got: number[] = [];
    const actor = new Actor<number>({ mailboxSize: 1, handler: (n) => void got.push(n) }).start();
    using _subscription = exc.subscribe(actor);
    await Promise.all([1, 2, 3, 4, 5].map((n) => exc.send(n)));
    await until(() => got.length === 5, 'the actor got all five');
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    actor.close();
    await actor.join();
  });
});
