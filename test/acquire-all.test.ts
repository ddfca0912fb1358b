// acquireAll: the Python Cookbook's deadlock-avoidance recipe — one global lock order, checked per task.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  acquireAll,
  Lock,
  LockOrderError,
  RLock,
  Semaphore,
  spawn,
  TimeoutError,
  type WaitOptions,
} from '../src/index.js';
import {
  abortListeners,
  assertBlocks,
  Cancelled,
  gate,
  SHORT_MS,
  TEST_OPTIONS,
  track,
  until,
} from './support/async-helpers.js';

/** A lock stand-in that logs `+name` when taken and `-name` when released, in the lock's place in the order. */
function recorded(lock: Lock, name: string, log: string[]) {
  return {
    ordinal: lock.ordinal,
    async acquire(opts?: WaitOptions) {
      const ok = await lock.acquire(opts);
      if (ok) log.push(`+${name}`);
      return ok;
    },
    release() {
      log.push(`-${name}`);
      lock.release();
    },
  };
}

describe('acquireAll', TEST_OPTIONS, () => {
  test('two tasks taking x,y and y,x over and over never deadlock', async () => {
    const x = new Lock();
    const y = new Lock();
    let inside = 0;
    let rounds = 0;
    const worker = (first: Lock, second: Lock) =>
      spawn(async () => {
        for (let i = 0; i < 300; i++) {
          using _both = await acquireAll(first, second);
          assert.ok(x.locked() && y.locked());
          assert.equal(++inside, 1);
          await (i % 7 === 0 ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve());
          inside--;
          rounds++;
        }
      });
    const tasks = [worker(x, y), worker(y, x), worker(x, y), worker(y, x)];
    for (const task of tasks) {
      const finished = await task.join({ timeout: 3_000 });
      if (!finished) await Promise.all(tasks.map((t) => t.kill()));
      assert.equal(finished, true, 'a worker is stuck: the locks deadlocked');
      assert.equal(task.exception, undefined);
    }
    assert.equal(rounds, 4 * 300);
    assert.equal(x.locked() || y.locked(), false);
  });

  test('takes the locks in creation order whatever order they are named in, and releases in reverse', async () => {
    const log: string[] = [];
    const a = recorded(new Lock(), 'a', log);
    const b = recorded(new Lock(), 'b', log);
    const c = recorded(new Lock(), 'c', log);
    const held = await acquireAll(c, a, b);
    assert.deepEqual(log, ['+a', '+b', '+c']);
    held[Symbol.dispose]();
    assert.deepEqual(log, ['+a', '+b', '+c', '-c', '-b', '-a']);
    held[Symbol.dispose]();
    assert.equal(log.length, 6, 'a second dispose releases nothing');
  });

  test('a lock named twice is taken once', async () => {
    const log: string[] = [];
    const lock = new Lock();
    const a = recorded(lock, 'a', log);
    {
      using _held = await acquireAll(a, a);
      assert.deepEqual(log, ['+a']);
    }
    assert.deepEqual(log, ['+a', '-a']);
    assert.equal(lock.locked(), false);
  });

  test('inside a task, a lock that sorts before a held one is refused with LockOrderError', async () => {
    const x = new Lock();
    const y = new Lock();
    const z = new Lock();
    await spawn(async () => {
      using _y = await acquireAll(y);
      const attempt = acquireAll(x); // a synchronous throw fails here
      await assert.rejects(attempt, LockOrderError);
      await assert.rejects(
        acquireAll(y),
        LockOrderError,
        'the same lock again is out of order too',
      );
      await assert.rejects(acquireAll(x, z), LockOrderError);
      assert.equal(x.locked() || z.locked(), false, 'a refused call takes nothing');
      {
        using _z = await acquireAll(z);
        assert.equal(z.locked(), true, 'a lock sorting after the held one is fine');
      }
      assert.equal(y.locked(), true);
    });
    assert.equal(y.locked(), false);
    await spawn(async () => {
      {
        using _y = await acquireAll(y);
      }
      using _x = await acquireAll(x);
      assert.equal(x.locked(), true, 'once released, earlier locks may be taken again');
    });
  });

  test('the order check is per task', async () => {
    const x = new Lock();
    const y = new Lock();
    const done = gate();
    const holder = track(
      spawn(async () => {
        using _y = await acquireAll(y);
        await done.opened;
      }),
    );
    await until(() => y.locked(), 'one task holds y');
    await spawn(async () => {
      using _x = await acquireAll(x);
      assert.equal(x.locked(), true, 'another task holding y does not restrict this one');
    });
    done.open();
    await holder.promise;
  });

  test('outside any task, locks are taken in order but nesting is not checked', async () => {
    const x = new Lock();
    const y = new Lock();
    using _y = await acquireAll(y);
    using _x = await acquireAll(x);
    assert.equal(x.locked() && y.locked(), true);
  });

  test('a timeout part-way releases what was taken and rejects with TimeoutError', async () => {
    const x = new Lock();
    const y = new Lock();
    await y.acquire();
    await spawn(async () => {
      await assert.rejects(acquireAll(x, y, { timeout: SHORT_MS }), TimeoutError);
      assert.equal(x.locked(), false, 'x was given back');
      using _x = await acquireAll(x);
      assert.equal(x.locked(), true, 'nothing of the failed call is remembered as held');
    });
    assert.equal(y.locked(), true, 'y is still held by its holder');
    y.release();
    assert.equal(y.locked(), false, 'the timed-out call left nothing queued on y');
  });

  test('an abort part-way releases what was taken, rejects with the reason and leaves no listener', async () => {
    const x = new Lock();
    const y = new Lock();
    await y.acquire();
    const controller = new AbortController();
    const attempt = track(acquireAll(x, y, { signal: controller.signal }));
    await assertBlocks(attempt, 'acquireAll waiting for y');
    assert.equal(x.locked(), true);
    const reason = new Cancelled('give up');
    controller.abort(reason);
    await assert.rejects(attempt.promise, (err) => err === reason);
    assert.equal(x.locked(), false);
    assert.equal(abortListeners(controller.signal), 0);
    y.release();
    assert.equal(y.locked(), false);
  });

  test('works with RLock and Semaphore alongside Lock', async () => {
    const rlock = new RLock();
    const sem = new Semaphore(1);
    const lock = new Lock();
    await spawn(async () => {
      {
        using _all = await acquireAll(lock, sem, rlock);
        assert.equal(sem.value, 0);
        assert.equal(lock.locked(), true);
        assert.equal(rlock.tryAcquire(), true, 'this task owns the RLock');
        rlock.release();
        assert.equal(await spawn(async () => rlock.tryAcquire()), false);
      }
      assert.equal(sem.value, 1);
      assert.equal(lock.locked() || rlock.locked(), false);
    });
  });

  test('invalid arguments reject and take nothing', async () => {
    const x = new Lock();
    await assert.rejects(acquireAll(x, {} as Lock, new Lock()), TypeError);
    await assert.rejects(acquireAll(x, { timeout: -1 }), RangeError);
    await assert.rejects(acquireAll(x, { signal: 'no' as unknown as AbortSignal }), TypeError);
    assert.equal(x.locked(), false);
    const nothing = await acquireAll({ timeout: 5 });
    nothing[Symbol.dispose]();
  });
});
