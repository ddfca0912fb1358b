// Handles: what crosses in place of a weft primitive, how it is found inside arguments, and
// what the handle protocol guarantees beyond the contracts — withdrawn waits leave no trace,
// RLock ownership per remote party, a handle whose owner is gone fails instead of hanging.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, describe, test } from 'node:test';
import { decodeValues, encodeValues } from '../src/codec/codec.js';
import {
  Barrier,
  BarrierHandle,
  BoundedSemaphore,
  Condition,
  ConditionHandle,
  disconnect,
  Event,
  EventHandle,
  HandleClosedError,
  isHandle,
  LifoQueue,
  Lock,
  LockHandle,
  move,
  PriorityQueue,
  Queue,
  QueueHandle,
  RLock,
  RuntimeError,
  Semaphore,
  SemaphoreHandle,
  SimpleQueue,
  spawn,
} from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import { carry, closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { Cancelled, TEST_OPTIONS, track, until } from './support/async-helpers.js';

after(closeLocalHandles);

/** Encodes `args` as a call would, carries them through a MessageChannel and decodes them. */
async function cross(args: unknown[]): Promise<unknown[]> {
  const { values, transfer } = encodeValues(args, 'test');
  return decodeValues(await carry(values, transfer));
}

describe('what crosses', TEST_OPTIONS, () => {
  test('values without primitives come back as they are, and decode returns them unchanged', async () => {
    const values = [1, 'two', { three: [3] }, null, undefined, new Map([[1, 2]])];
    const { values: encoded, transfer } = encodeValues(values, 'test');
    assert.deepEqual(transfer, []);
    assert.deepEqual(encoded, values);
    const arrived = await carry(encoded, transfer);
    assert.equal(decodeValues(arrived), arrived, 'nothing to decode: the same array');
    assert.deepEqual(arrived, values);
  });

  test('each primitive kind arrives as the handle of its kind, with what never changes', async () => {
    const handles = await cross([
      new Queue(3),
      new LifoQueue(),
      new PriorityQueue(),
      new SimpleQueue(),
      new Lock(),
      new RLock(),
      new Semaphore(2),
      new BoundedSemaphore(4),
      new Event(),
      new Condition(),
      new Barrier(3),
    ]);
    const kinds = [
      QueueHandle,
      QueueHandle,
      QueueHandle,
      QueueHandle,
      LockHandle,
      LockHandle,
      SemaphoreHandle,
      SemaphoreHandle,
      EventHandle,
      ConditionHandle,
      BarrierHandle,
    ];
    handles.forEach((handle, i) => {
      assert.ok(handle instanceof kinds[i]!, `argument ${i} is a ${kinds[i]!.name}`);
      assert.ok(isHandle(handle));
    });
    assert.equal((handles[0] as QueueHandle<unknown>).maxsize, 3);
    assert.equal((handles[7] as SemaphoreHandle).bound, 4);
    assert.equal((handles[6] as SemaphoreHandle).bound, undefined);
    assert.equal((handles[10] as BarrierHandle).parties, 3);
    for (const handle of handles) disconnect(handle as LockHandle);
  });

  test('primitives inside arrays, plain objects, Maps and Sets arrive as handles', async () => {
    const queue = new Queue<number>();
    const lock = new Lock();
    const [arrived] = await cross([
      { jobs: queue, pair: [lock, 7], byName: new Map([['q', queue]]), set: new Set([lock]) },
    ]);
    const { jobs, pair, byName, set } = arrived as {
      jobs: QueueHandle<number>;
      pair: [LockHandle, number];
      byName: Map<string, QueueHandle<number>>;
      set: Set<LockHandle>;
    };
    assert.ok(jobs instanceof QueueHandle);
    assert.equal(byName.get('q'), jobs, 'one primitive given twice is one handle');
    assert.ok(pair[0] instanceof LockHandle);
    assert.equal(pair[1], 7);
    assert.equal([...set][0], pair[0]);
    await jobs.put(1);
    assert.equal(queue.getNowait(), 1, 'the handle reaches the very queue');
    await pair[0].acquire();
    assert.equal(lock.locked(), true);
    disconnect(jobs);
    disconnect(pair[0]);
  });

  test('a class instance holding a primitive arrives as structured clone makes it, with a handle', async () => {
    class Job {
      constructor(
        readonly name: string,
        readonly done: Event,
      ) {}
    }
    const done = new Event();
    const [arrived] = (await cross([new Job('wash', done)])) as [Record<string, unknown>];
    assert.equal(arrived.name, 'wash');
    assert.ok(arrived.done instanceof EventHandle);
    await (arrived.done as EventHandle).set();
    assert.equal(done.isSet(), true);
    disconnect(arrived.done as EventHandle);
  });

  test('a structure with a cycle keeps its shape around the handle', async () => {
    const node: Record<string, unknown> = { event: new Event() };
    node.self = node;
    const [arrived] = (await cross([node])) as [Record<string, unknown>];
    assert.equal(arrived.self, arrived);
    assert.ok(arrived.event instanceof EventHandle);
    disconnect(arrived.event);
  });

  test('the same primitive in two arguments crosses once, as one handle', async () => {
    const queue = new Queue();
    const [a, b] = await cross([queue, queue]);
    assert.equal(a, b);
    disconnect(a as QueueHandle<unknown>);
  });

  test('a function or a value structured clone refuses still fails at the call, naming the argument', () => {
    const queue = new Queue();
    assert.throws(
      () => encodeValues([queue, () => 1], 'Thread(args)'),
      (err: Error) => err instanceof TypeError && /argument 1/.test(err.message),
    );
    assert.throws(
      () => encodeValues([{ queue, callback() {} }], 'Thread(args)'),
      (err: Error) => err instanceof TypeError && /argument 0/.test(err.message),
    );
  });

  test('a descriptor of a transport this thread does not know is refused with a TypeError', () => {
    const descriptor = { $weft: 'handle', kind: 'Queue', transport: 'carrier-pigeon', info: {} };
    assert.throws(() => decodeValues([descriptor]), /carrier-pigeon/);
  });

  test('the owner serves only the methods a handle may call, never private members', async () => {
    const lock = new Lock();
    const { values } = encodeValues([lock], 'test');
    const { port } = values[0] as { port: import('node:worker_threads').MessagePort };
    const reply = new Promise<{ ok: boolean; error: unknown }>((resolve) =>
      port.once('message', resolve),
    );
    port.postMessage({ op: 'hello', thread: 'test' });
    port.postMessage({ op: 'call', id: 1, method: 'constructor', args: [], party: 0 });
    const { ok, error } = await reply;
    port.close();
    assert.equal(ok, false);
    assert.match((error as { message: string }).message, /a handle cannot call constructor\(\)/);
  });

  test('a handle passed on reaches the same primitive through a new connection', async () => {
    const sem = new Semaphore(2);
    const { handle } = await localHandle<SemaphoreHandle>(sem);
    const [again] = (await cross([handle])) as [SemaphoreHandle];
    assert.notEqual(again, handle);
    assert.equal(await again.acquire(), true);
    assert.equal(sem.value, 1);
    disconnect(handle);
    assert.equal(await again.acquire(), true, 'the new connection outlives the first');
    assert.equal(sem.value, 0);
    disconnect(again);
  });

  test('items cross both ways: clones, moved buffers, and primitives as handles', async () => {
    const queue = new Queue<unknown>();
    const { handle } = await localHandle<QueueHandle<unknown>>(queue);
    const bytes = new Uint8Array([1, 2, 3]);
    await handle.put(move(bytes));
    assert.equal(bytes.byteLength, 0, 'moved, not copied');
    assert.deepEqual(queue.getNowait(), new Uint8Array([1, 2, 3]));
    const inner = new Event();
    queue.putNowait({ done: inner });
    const { done } = (await handle.get()) as { done: EventHandle };
    await done.set();
    assert.equal(inner.isSet(), true, 'an event taken from the queue is a handle on it');
    await assert.rejects(
      handle.put(() => 1),
      (err: Error) => err instanceof TypeError,
    );
    assert.equal(queue.qsize(), 0, 'a refused item is not stored');
    disconnect(done);
  });
});

describe('cancelling a wait', TEST_OPTIONS, () => {
  test('an abort withdraws the wait at the owner: no item is taken, no listener is left', async () => {
    const queue = new Queue<string>();
    const { handle } = await localHandle<QueueHandle<string>>(queue);
    const controller = new AbortController();
    const get = track(handle.get({ signal: controller.signal }));
    await until(
      async () =>
        (await handle.qsize()) === 0 && getEventListeners(controller.signal, 'abort').length === 1,
      'the get is parked',
    );
    const reason = new Cancelled('no longer needed');
    controller.abort(reason);
    await assert.rejects(get.promise, (err) => err === reason, 'the reason itself, not a copy');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    queue.putNowait('kept');
    assert.equal(queue.qsize(), 1, 'the withdrawn getter did not take it');
    assert.equal(await handle.get(), 'kept');
  });

  test('killing the calling task withdraws its wait', async () => {
    const sem = new Semaphore(0);
    const { handle } = await localHandle<SemaphoreHandle>(sem);
    const task = spawn(() => handle.acquire());
    await until(async () => (await handle.value) === 0 && task.ready() === false, 'the task waits');
    await task.kill(new Cancelled('killed'));
    assert.ok(task.exception instanceof Cancelled);
    sem.release();
    assert.equal(sem.value, 1, 'the permit went to nobody');
  });

  test('a wait granted before the cancel arrives keeps what it was granted', async () => {
    // An RLock: its acquire waits at the owner. (A Lock's handle waits here for a loan, and
    // an abort there leaves the loan idle: test/lock-loans.test.ts.) An RLock's owner-side
    // calls run in a task.
    const lock = new RLock();
    const { handle } = await localHandle<LockHandle>(lock);
    await spawn(async () => {
      await lock.acquire();
      const controller = new AbortController();
      const attempt = track(handle.acquire({ signal: controller.signal }));
      await handle.locked(); // the acquire is parked at the owner
      lock.release(); // granted now, the answer on its way
      controller.abort(new Cancelled('too late'));
      assert.equal(await attempt.promise, true, 'granted: the abort came after');
      assert.equal(lock.locked(), true);
      await handle.release();
      assert.equal(lock.locked(), false);
    });
  });
});

describe('RLock ownership per remote party', TEST_OPTIONS, () => {
  test('a task holding an RLock through one handle re-enters it through another', async () => {
    const rlock = new RLock();
    const { handle: first } = await localHandle<LockHandle>(rlock);
    const { handle: second } = await localHandle<LockHandle>(rlock);
    await spawn(async () => {
      assert.equal(await first.acquire(), true);
      assert.equal(await second.acquire({ timeout: 0 }), true, 're-entrant across handles');
      assert.equal(await spawn(() => second.tryAcquire()), false, 'another task is refused');
      await assert.rejects(
        Promise.resolve(spawn(() => first.release())),
        RuntimeError,
        'another task cannot release it',
      );
      await second.release();
      await first.release();
      assert.equal(await first.locked(), false);
    });
  });

  test('outside any task the calling thread is the party', async () => {
    const rlock = new RLock();
    const { handle } = await localHandle<LockHandle>(rlock);
    assert.equal(await handle.acquire(), true);
    assert.equal(await handle.acquire(), true, 'the thread re-enters its own hold');
    assert.equal(
      await spawn(() => handle.tryAcquire()),
      false,
      'a task of the thread is someone else',
    );
    await handle.release();
    await handle.release();
    assert.equal(rlock.locked(), false);
  });
});

describe('when the handle or its owner goes away', TEST_OPTIONS, () => {
  test('pending and later calls reject with HandleClosedError', async () => {
    const queue = new Queue<number>();
    const { handle } = await localHandle<QueueHandle<number>>(queue);
    const pending = track(handle.get());
    await handle.qsize();
    disconnect(handle);
    await assert.rejects(pending.promise, HandleClosedError);
    await assert.rejects(handle.put(1), (err: Error) => {
      assert.ok(err instanceof HandleClosedError);
      assert.match(err.message, /Queue handle cannot answer put\(\)/);
      return true;
    });
    assert.throws(() => encodeValues([handle], 'test'), HandleClosedError);
    disconnect(handle); // idempotent
  });

  test('the owner withdraws every wait the handle left parked', async () => {
    const queue = new Queue<number>();
    const barrier = new Barrier(2);
    const { handle: q } = await localHandle<QueueHandle<number>>(queue);
    const { handle: b } = await localHandle<BarrierHandle>(barrier);
    const waits = [track(q.get()), track(b.wait())];
    await until(() => queue[GETTERS].length === 1 && barrier.nWaiting === 1, 'both wait');
    disconnect(q);
    disconnect(b);
    await Promise.allSettled(waits.map((w) => w.promise));
    await until(
      () => queue[GETTERS].length === 0 && barrier.nWaiting === 0,
      'the owner withdrew the waits',
    );
    queue.putNowait(1);
    assert.equal(queue.qsize(), 1, 'the item went to nobody');
    assert.equal(barrier.broken, false, 'a withdrawn barrier wait just leaves');
  });

  test('a condition wait withdrawn for a handle that went away gives the lock back', async () => {
    class CountingLock extends Lock {
      releases = 0;
      override release(): void {
        this.releases++;
        super.release();
      }
    }
    const lock = new CountingLock();
    const { handle } = await localHandle<ConditionHandle>(new Condition(lock));
    await handle.acquire();
    const waiting = track(handle.wait());
    await until(() => lock.releases === 1, 'the wait released the lock');
    disconnect(handle);
    await assert.rejects(waiting.promise, HandleClosedError);
    await until(() => lock.releases === 2, 'the withdrawn wait re-took the lock and gave it back');
    assert.equal(lock.locked(), false);
  });
});

describe('guards', TEST_OPTIONS, () => {
  test('await using waits for the release; using sends it', async () => {
    // An RLock: its release is answered by the owner. (A Lock lent to the handle releases
    // here, and the owner hears of it within a turn: test/lock-loans.test.ts.)
    const lock = new RLock();
    const { handle } = await localHandle<LockHandle>(lock);
    {
      await using _held = await handle.guard();
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false, 'released before the block was left');
    {
      using _held = await handle.guard();
      assert.equal(lock.locked(), true);
    }
    await until(() => !lock.locked(), 'the release arrived');
  });
});
