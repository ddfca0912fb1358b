// Handles on an Actor and an Exchange: messages and questions reach the actor where it runs,
// an exchange delivers to its subscribers where it lives, and subscribers attached through a
// handle cross to the exchange as handles themselves.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  Actor,
  ActorHandle,
  Exchange,
  ExchangeHandle,
  HandleClosedError,
  Queue,
  type QueueHandle,
  RuntimeError,
  TimeoutError,
} from '../src/index.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { Cancelled, gate, TEST_OPTIONS, track, until } from './support/async-helpers.js';

after(closeLocalHandles);

class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

describe('actor handle', TEST_OPTIONS, () => {
  test('send and ask reach the actor; its answers and errors come back', async () => {
    const seen: number[] = [];
    const actor = new Actor<number, number>({
      handler: (n) => {
        if (n < 0) throw new ValidationError('negative', 'n');
        seen.push(n);
        return n * n;
      },
      name: 'squarer',
    }).start();
    const { handle } = await localHandle<ActorHandle<number, number>>(actor);
    assert.ok(handle instanceof ActorHandle);
    assert.equal(handle.name, 'squarer');
    await handle.send(2);
    assert.equal(await handle.ask(7), 49);
    await assert.rejects(handle.ask(-1), (err: Error) => {
      assert.equal(err.name, 'ValidationError');
      assert.equal((err as ValidationError).field, 'n', 'own fields cross');
      return true;
    });
    assert.deepEqual(seen, [2, 7]);
    assert.equal(await handle.isAlive(), true);
    assert.equal(handle.closed, false);
    await handle.close();
    assert.equal(handle.closed, true, 'closed, as of the last answer');
    assert.equal(await handle.join(), true);
    await assert.rejects(handle.send(3), RuntimeError);
  });

  test('an ask that times out or is aborted is withdrawn before the actor sees it', async () => {
    const release = gate();
    const seen: string[] = [];
    const actor = new Actor<string, string>({
      handler: async (msg) => {
        seen.push(msg);
        if (msg === 'first') await release.opened;
        return msg;
      },
    }).start();
    const { handle } = await localHandle<ActorHandle<string, string>>(actor);
    const first = track(handle.ask('first'));
    await until(() => seen.length === 1, 'the actor is busy with the first message');
    await assert.rejects(handle.ask('timed', { timeout: 5 }), TimeoutError);
    const controller = new AbortController();
    const aborted = handle.ask('aborted', { signal: controller.signal });
    const reason = new Cancelled('changed my mind');
    controller.abort(reason);
    await assert.rejects(aborted, (err) => err === reason);
    release.open();
    assert.equal(await first.promise, 'first');
    assert.equal(await handle.ask('last'), 'last');
    assert.deepEqual(seen, ['first', 'last'], 'the withdrawn asks never reached the actor');
    await actor[Symbol.asyncDispose]();
  });

  test('join rejects with the error that ended the actor', async () => {
    const actor = new Actor<string>({
      handler: () => {
        throw new ValidationError('bad message', 'msg');
      },
    }).start();
    const { handle } = await localHandle<ActorHandle<string>>(actor);
    const joined = handle.join();
    await handle.isAlive(); // the join is parked before the actor fails
    await handle.send('x');
    await assert.rejects(joined, (err: Error) => err.name === 'ValidationError');
  });
});

describe('exchange handle', TEST_OPTIONS, () => {
  test('send delivers to the subscribers attached where the exchange lives', async () => {
    const exchange = new Exchange<string>({ name: 'news' });
    const inbox = new Queue<string>();
    exchange.attach(inbox);
    const { handle } = await localHandle<ExchangeHandle<string>>(exchange);
    assert.ok(handle instanceof ExchangeHandle);
    assert.equal(handle.name, 'news');
    await handle.send('hello');
    assert.equal(inbox.getNowait(), 'hello');
    assert.equal(await handle.size, 1);
  });

  test('subscribers attached through a handle cross as handles, and detach finds them again', async () => {
    const exchange = new Exchange<string>();
    const { handle } = await localHandle<ExchangeHandle<string>>(exchange);
    const mine = new Queue<string>();
    await handle.attach(mine);
    await handle.attach(mine); // attached once, as a set
    assert.equal(exchange.size, 1);
    assert.equal(await handle.has(mine), true);
    await exchange.send('to the subscriber');
    assert.equal(await mine.get(), 'to the subscriber');
    await handle.detach(mine);
    assert.equal(exchange.size, 0);
    assert.equal(await handle.has(mine), false);
    await assert.rejects(handle.detach(mine), RuntimeError);
    await assert.rejects(handle.detach(new Queue()), RuntimeError);
    await assert.rejects(
      handle.attach({ send() {} }),
      (err: Error) => err instanceof TypeError && /cannot cross/.test(err.message),
    );
    assert.equal(exchange.size, 0);
  });

  test('subscribe returns a guard that detaches what it attached', async () => {
    const exchange = new Exchange<number>();
    const { handle } = await localHandle<ExchangeHandle<number>>(exchange);
    const a = new Queue<number>();
    const b = new Queue<number>();
    {
      await using _sub = await handle.subscribe(a, b);
      assert.equal(exchange.size, 2);
      await handle.send(1);
    }
    assert.equal(exchange.size, 0);
    assert.deepEqual([a.getNowait(), b.getNowait()], [1, 1]);
  });

  test('what a handle attached is detached when the handle goes away', async () => {
    const exchange = new Exchange<number>();
    const { handle, close } = await localHandle<ExchangeHandle<number>>(exchange);
    await handle.attach(new Queue<number>());
    assert.equal(exchange.size, 1);
    await close();
    await until(() => exchange.size === 0, 'the subscriber was detached');
    await assert.rejects(handle.send(1), HandleClosedError);
  });

  test('a subscriber handle passed back to its own thread works as a queue there', async () => {
    const queue = new Queue<string>();
    const { handle } = await localHandle<QueueHandle<string>>(queue);
    const exchange = new Exchange<string>();
    const { handle: exchangeHandle } = await localHandle<ExchangeHandle<string>>(exchange);
    await exchangeHandle.attach(handle);
    await exchange.send('round trip');
    assert.equal(queue.getNowait(), 'round trip');
  });
});
