// Manager: what its factories make, the checks at the call, shutdown (for its own handles and
// handles elsewhere, its queues, barriers and locks), disposal, and its handles' limits.
// Container behaviour is in manager-containers.test.ts, threads in manager-threads.test.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { servedKindOf } from '../src/codec/registry.js';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  disconnect,
  Event,
  HandleClosedError,
  isHandle,
  Lock,
  Manager,
  Queue,
  QueueEmpty,
  QueueHandle,
  QueueShutDown,
  RLock,
  RuntimeError,
  Semaphore,
  SharedDict,
  SharedList,
  SharedNamespace,
  spawn,
} from '../src/index.js';
import type { HandleLink } from '../src/remote/handle.js';
import { LocalLink } from '../src/remote/local-link.js';
import type { ServedKind } from '../src/remote/served-kind.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';

after(closeLocalHandles);

/** The connection under a handle, to call what its class does not offer. */
function connectionOf(handle: object): HandleLink {
  return (handle as unknown as { link: HandleLink }).link;
}

describe('Manager: what it makes', () => {
  test('dict(), list() and namespace() give handles on objects the manager owns, filled from init', async () => {
    using manager = new Manager();
    const fromObject = manager.dict({ apples: 3 });
    const fromMap = manager.dict(new Map([[1, 'one']]));
    const fromPairs = manager.dict([['a', true]] as const);
    const items = manager.list(new Set(['x', 'y']));
    const ns = manager.namespace({ phase: 'setup', count: 0 });
    for (const handle of [fromObject, fromMap, fromPairs, items, ns]) assert.ok(isHandle(handle));
    assert.ok(fromObject instanceof SharedDict);
    assert.ok(items instanceof SharedList);
    assert.ok(ns instanceof SharedNamespace);
    assert.deepEqual(await fromObject.toMap(), new Map([['apples', 3]]));
    assert.deepEqual(await fromMap.entries(), [[1, 'one']]);
    assert.equal(await fromPairs.get('a'), true);
    assert.deepEqual(await items.toArray(), ['x', 'y']);
    assert.deepEqual(await ns.toObject(), { phase: 'setup', count: 0 });
    assert.deepEqual(await manager.dict().size(), 0);
    assert.deepEqual(await manager.namespace().toObject(), {});
  });

  test('init is copied in: changing it afterwards changes nothing', async () => {
    using manager = new Manager();
    const init = { tags: ['a'] };
    const ns = manager.namespace(init);
    const items = [{ n: 1 }];
    const list = manager.list(items);
    init.tags.push('b');
    items[0]!.n = 2;
    assert.deepEqual(await ns.get('tags'), ['a']);
    assert.deepEqual(await list.get(0), { n: 1 });
  });

  test('init that cannot cross, or is not iterable, throws at the call', () => {
    using manager = new Manager({ name: 'checked' });
    assert.throws(() => manager.dict({ f: () => 1 }), /checked\.dict\(init\): argument 0/);
    assert.throws(() => manager.list([() => 1]), TypeError);
    assert.throws(() => manager.list(5 as never), /checked\.list\(init\): items must be iterable/);
    assert.throws(
      () => manager.dict(5 as never),
      /expected a Map, an iterable of \[key, value\] pairs/,
    );
    assert.throws(() => manager.dict([[{}, 1]] as never), /a key must be a string/);
    assert.throws(() => manager.namespace(5 as never), /init must be a plain object/);
  });

  test('the primitives are ordinary weft primitives', () => {
    using manager = new Manager();
    assert.ok(manager.queue() instanceof Queue);
    assert.equal(manager.queue(3).maxsize, 3);
    assert.ok(manager.lock() instanceof Lock);
    assert.ok(manager.rlock() instanceof RLock);
    assert.equal(manager.semaphore(2).value, 2);
    assert.ok(manager.semaphore() instanceof Semaphore);
    assert.ok(manager.boundedSemaphore(2) instanceof BoundedSemaphore);
    assert.ok(manager.event() instanceof Event);
    const rlock = manager.rlock();
    assert.equal(manager.condition(rlock).lock, rlock);
    assert.ok(manager.condition() instanceof Condition);
    assert.equal(manager.barrier(3).parties, 3);
    assert.ok(manager.barrier(2, { timeout: 5 }) instanceof Barrier);
    assert.throws(() => manager.semaphore(-1), RangeError, 'checked as the primitive checks it');
    assert.throws(() => manager.barrier(0), RangeError);
  });

  test('options: a name (Manager-N by default, each its own); bad options throw TypeError', () => {
    const [a, b] = [new Manager(), new Manager()];
    assert.match(a.name, /^Manager-\d+$/);
    assert.notEqual(a.name, b.name);
    assert.equal(new Manager({ name: 'stock' }).name, 'stock');
    assert.throws(() => new Manager({ name: 7 as never }), /name must be a string, got number 7/);
    assert.throws(() => new Manager(null as never), TypeError);
  });
});

describe('Manager: shutdown', () => {
  test('every later call on its dicts, lists and namespaces, here and through handles, rejects naming the manager', async () => {
    const manager = new Manager({ name: 'inventory' });
    const dict = manager.dict({ a: 1 });
    const list = manager.list([1]);
    const ns = manager.namespace({ x: 1 });
    const { handle: remote } = await localHandle<SharedDict<string, number>>(dict);
    assert.equal(await remote.get('a'), 1);
    assert.equal(manager.shutDown, false);
    manager.shutdown();
    assert.equal(manager.shutDown, true);
    const message = /^inventory was shut down, and its dicts, lists and namespaces with it$/;
    for (const [call, where] of [
      [() => dict.get('a'), 'SharedDict.get()'],
      [() => remote.set('a', 2), 'SharedDict.set()'],
      [() => list.append(2), 'SharedList.append()'],
      [() => ns.toObject(), 'SharedNamespace.toObject()'],
    ] as const) {
      await assert.rejects(call(), (err: Error) => {
        assert.ok(err instanceof RuntimeError);
        assert.ok(err.message.startsWith(`${where}: `), err.message);
        assert.match(err.message.slice(where.length + 2), message);
        return true;
      });
    }
    manager.shutdown(); // idempotent
  });

  test('after shutdown the factories throw RuntimeError', () => {
    const manager = new Manager({ name: 'closed' });
    manager.shutdown();
    assert.throws(() => manager.dict(), /closed\.dict\(\): the manager was shut down/);
    assert.throws(() => manager.list(), RuntimeError);
    assert.throws(() => manager.namespace(), RuntimeError);
    assert.throws(() => manager.queue(), /closed\.queue\(\)/);
    assert.throws(() => manager.lock(), RuntimeError);
    assert.throws(() => manager.barrier(2), RuntimeError);
  });

  test('its queues shut down at once: items left are dropped, a parked getter and later puts get QueueShutDown', async () => {
    const manager = new Manager();
    const full = manager.queue<number>();
    await full.put(1);
    const empty = manager.queue<number>();
    const parked = empty.get();
    manager.shutdown();
    await assert.rejects(parked, QueueShutDown);
    assert.equal(full.qsize(), 0);
    assert.equal(await full.join({ timeout: 0 }), true, 'dropped items count as done');
    await assert.rejects(full.put(2), QueueShutDown);
    await assert.rejects(full.get(), QueueShutDown);
  });

  test('its barriers are aborted: a waiting party gets BrokenBarrierError', async () => {
    const manager = new Manager();
    const barrier = manager.barrier(2);
    const waiting = barrier.wait();
    manager.shutdown();
    await assert.rejects(waiting, BrokenBarrierError);
    assert.equal(barrier.broken, true);
  });

  test('its locks, semaphores and events go on working: a lock held across shutdown can still be released', async () => {
    const manager = new Manager();
    const lock = manager.lock();
    const event = manager.event();
    const sem = manager.semaphore(1);
    await lock.acquire();
    const waiter = lock.acquire();
    manager.shutdown();
    lock.release();
    assert.equal(await waiter, true);
    lock.release();
    event.set();
    assert.equal(await event.wait(), true);
    assert.equal(await sem.acquire({ timeout: 0 }), true);
  });

  test('await using and using shut it down at the end of the block', async () => {
    let dict: SharedDict | undefined;
    {
      await using manager = new Manager();
      dict = manager.dict();
      await dict.set('x', 1);
    }
    await assert.rejects(dict.get('x'), RuntimeError);
    let list: SharedList | undefined;
    {
      using manager = new Manager();
      list = manager.list();
    }
    await assert.rejects(list.length(), RuntimeError);
  });
});

describe("Manager: its handles' limits", () => {
  test('disconnect() lets go of one handle only: the dict and its other handles are untouched', async () => {
    using manager = new Manager();
    const dict = manager.dict({ a: 1 });
    const { handle: other } = await localHandle<SharedDict<string, number>>(dict);
    disconnect(dict);
    await assert.rejects(dict.get('a'), HandleClosedError);
    assert.equal(await other.get('a'), 1);
    await assert.rejects(
      localHandle(dict),
      /SharedDict handle cannot be passed on: it was disconnected/,
    );
  });

  test('a handle reaches only the listed operations, here and over the protocol', async () => {
    using manager = new Manager();
    const dict = manager.dict({ a: 1 });
    const { handle: remote } = await localHandle<SharedDict<string, number>>(dict);
    for (const handle of [dict, remote]) {
      await assert.rejects(connectionOf(handle).call('end', []), /a handle cannot call end\(\)/);
      await assert.rejects(connectionOf(handle).call('key', ['a', 'get']), TypeError);
    }
    assert.equal(await dict.get('a'), 1, 'nothing was dropped');
  });

  test('a local connection serves any kind, waits included: timeout, abort and bad options as at the owner', async () => {
    const queue = new Queue<number>();
    const handle = new QueueHandle<number>(new LocalLink(queue, servedKindOf(queue) as ServedKind));
    await assert.rejects(handle.get({ timeout: 1 }), QueueEmpty);
    const controller = new AbortController();
    const parked = handle.get({ signal: controller.signal });
    controller.abort(new Error('gave up'));
    await assert.rejects(parked, /gave up/);
    await assert.rejects(handle.get({ timeout: -1 }), RangeError);
    await handle.put(7);
    assert.equal(queue.getNowait(), 7);
    await assert.rejects(
      connectionOf(handle).call('get', []),
      /a handle cannot call get\(\) that way/,
    );
  });

  test('calls from tasks interleave one operation at a time: concurrent increments all count', async () => {
    using manager = new Manager();
    const dict = manager.dict<string, number>();
    const { handle: remote } = await localHandle<SharedDict<string, number>>(dict);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        spawn(async () => {
          const via = i % 2 === 0 ? dict : remote;
          for (let n = 0; n < 10; n++) await via.increment('hits');
        }),
      ),
    );
    assert.equal(await dict.get('hits'), 200);
  });
});
