// The shared locks, semaphores, events, conditions and barriers used from several real
// threads at once (and from this one): exact counts, conserved permits, no lost wake-up,
// blocking calls in workers, and threads terminated while holding or waiting.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  BrokenBarrierError,
  Process,
  RuntimeError,
  SharedBarrier,
  SharedBoundedSemaphore,
  SharedCondition,
  SharedEvent,
  SharedLock,
  SharedRLock,
  SharedSemaphore,
  spawn,
  type Thread,
} from '../src/index.js';
import { SEMAPHORE_TURNS } from '../src/shared/shared-semaphore.js';
import { turnsWaiting } from '../src/shared/turn-list.js';
import { LOCK_TURNS } from '../src/shared/turn-lock.js';
import {
  awaitEvent,
  consume,
  countAction,
  countUnderLock,
  hangAction,
  hangInAction,
  notifyOnGo,
  passBarrier,
  produce,
  releaseElsewhere,
  sameLock,
  setEvent,
  takeAndReport,
  usePermits,
  waitOnShared,
} from './fixtures/shared-sync-targets.js';
import { nothing } from './fixtures/thread-targets.js';
import { until, WORKER_SUITE } from './support/async-helpers.js';
import { holdInThread, killAll, killParty, startParty } from './support/dead-party.js';

after(killAll);

/** Starts `target(...args)` in a thread of its own (killed after the file if it hangs). */
const start = (target: unknown, ...args: unknown[]): Thread =>
  startParty('thread', target, args) as Thread;

/** What the thread's target returned; throws what it threw. */
async function resultOf<T>(thread: Thread): Promise<T> {
  await thread.join();
  if (thread.exception !== undefined) throw thread.exception;
  return thread.result as T;
}

const ints = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n));

/** How many threads stand in a lock's (or a semaphore's) turn list. */
const threadsWaiting = (held: SharedLock | SharedRLock | SharedSemaphore) =>
  turnsWaiting(
    new Int32Array(held.buffer),
    held instanceof SharedSemaphore ? SEMAPHORE_TURNS : LOCK_TURNS,
  );

describe(
  'shared locks, semaphores, events, conditions and barriers across threads',
  WORKER_SUITE,
  () => {
    for (const [name, make] of [
      ['SharedLock', () => new SharedLock()],
      ['SharedRLock', () => new SharedRLock()],
    ] as const) {
      test(`${name}: a counter incremented under the lock by 3 threads and this one comes out exact`, async () => {
        const lock = make();
        const counts = ints(2);
        const n = 300;
        const threads = [false, true, false].map((sync) =>
          start(countUnderLock, lock, counts, n, sync),
        );
        await countUnderLock(lock, counts, n, false);
        await Promise.all(threads.map(resultOf));
        assert.equal(counts[0], 4 * n);
        assert.equal(lock.locked(), false);
      });
    }

    for (const [name, make] of [
      ['SharedSemaphore', (n: number) => new SharedSemaphore(n)],
      ['SharedBoundedSemaphore', (n: number) => new SharedBoundedSemaphore(n)],
    ] as const) {
      test(`${name}(2): 4 threads never hold more than 2 permits, and all come back`, async () => {
        const sem = make(2);
        const stats = ints(2);
        const threads = [false, true, false, true].map((sync) =>
          start(usePermits, sem, stats, 200, sync),
        );
        await Promise.all(threads.map(resultOf));
        assert.ok(stats[1]! <= 2, `at most 2 inside at once, saw ${stats[1]}`);
        assert.ok(stats[1]! >= 1);
        assert.equal(stats[0], 0);
        assert.equal(sem.value, 2, 'every permit was given back');
      });
    }

    test('SharedCondition: producers and consumers in 4 threads hand over every item with notify(1)', async () => {
      for (const lock of [new SharedRLock(), new SharedLock()]) {
        const cond = new SharedCondition(lock);
        const state = ints(3);
        const n = 150;
        const threads = [
          start(consume, cond, state, n, false),
          start(consume, cond, state, n, true),
          start(produce, cond, state, n),
          start(produce, cond, state, n),
        ];
        await Promise.all(threads.map(resultOf));
        assert.deepEqual([...state], [0, 2 * n, 2 * n], 'every item put was taken, once');
        assert.equal(cond.locked(), false);
      }
    });

    test('SharedBarrier(3): 3 threads pass it in lockstep for 5 rounds, the portable action running once a generation', async () => {
      const rounds = 5;
      const barrier = new SharedBarrier(3, { action: countAction });
      const arrived = ints(3);
      const threads = [false, true, false].map((sync, me) =>
        start(passBarrier, barrier, arrived, me, rounds, sync),
      );
      const results = await Promise.all(
        threads.map(resultOf<{ indices: number[]; actions: number }>),
      );
      for (let round = 0; round < rounds; round++) {
        assert.deepEqual(
          results.map((r) => r.indices[round]).toSorted(),
          [0, 1, 2],
          `round ${round}`,
        );
      }
      assert.equal(
        results.reduce((sum, r) => sum + r.actions, 0),
        rounds,
        'the action ran once per generation, in the thread of the last party',
      );
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });

    test('SharedBarrier: the last party, blocked in waitSync in a worker, runs the portable action there', async () => {
      const barrier = new SharedBarrier(2, { action: countAction });
      const arrived = ints(2);
      Atomics.store(arrived, 1, 1);
      const here = barrier.wait();
      await until(() => barrier.nWaiting === 1, 'this thread waits');
      const worker = start(passBarrier, barrier, arrived, 0, 1, true);
      assert.deepEqual(await resultOf(worker), { indices: [1], actions: 1 });
      assert.equal(await here, 0);
    });

    test('SharedBarrier: waitSync refuses, before arriving, an action the thread has not loaded', async () => {
      // `nothing` lives in a module the worker's target does not import: it is still loading.
      const barrier = new SharedBarrier(2, { action: nothing });
      const worker = start(passBarrier, barrier, ints(2), 0, 1, true);
      await assert.rejects(resultOf(worker), (err: Error) => /still loading/.test(err.message));
      assert.equal(barrier.nWaiting, 0, 'it did not arrive');
      assert.equal(barrier.broken, false);
    });

    test('SharedBarrier: an action that is not portable cannot go to another thread', () => {
      const barrier = new SharedBarrier(2, { action: () => {} });
      assert.throws(() => start(passBarrier, barrier, ints(2), 0, 1, false), /portable/);
    });

    test('SharedEvent: a set in one thread wakes the waiters of every thread (and this one)', async () => {
      const event = new SharedEvent();
      const waiting = ints(1);
      const threads = [false, true, true].map((sync) => start(awaitEvent, event, waiting, sync));
      const here = event.wait();
      await until(() => Atomics.load(waiting, 0) === 3, 'three threads wait');
      await resultOf(start(setEvent, event));
      assert.deepEqual(await Promise.all(threads.map(resultOf)), [true, true, true]);
      assert.equal(await here, true);
    });

    test('the blocking calls are a RuntimeError on the main thread, and change nothing', () => {
      const lock = new SharedLock();
      const rlock = new SharedRLock();
      const sem = new SharedSemaphore(1);
      const event = new SharedEvent();
      const cond = new SharedCondition(new SharedLock());
      const barrier = new SharedBarrier(1);
      for (const call of [
        () => lock.acquireSync(),
        () => rlock.acquireSync({ timeout: 0 }),
        () => sem.acquireSync(),
        () => event.waitSync({ timeout: 5 }),
        () => cond.waitSync(),
        () => barrier.waitSync(),
      ]) {
        assert.throws(call, RuntimeError);
      }
      assert.equal(lock.locked(), false);
      assert.equal(rlock.locked(), false);
      assert.equal(sem.value, 1);
      assert.equal(barrier.nWaiting, 0);
    });

    for (const [name, make, depth] of [
      ['SharedLock', () => new SharedLock(), 1],
      ['SharedRLock', () => new SharedRLock(), 2],
    ] as const) {
      test(`${name}: a thread terminated holding it leaves it abandoned for the next thread, which blocks for it`, async () => {
        const lock = make();
        const dying = await holdInThread(lock, depth);
        const next = start(takeAndReport, lock, true);
        await until(() => threadsWaiting(lock) === 1, 'the next thread waits');
        await dying.die();
        assert.equal(await resultOf(next), true, 'the next holder learns it was abandoned');
        assert.equal(lock.locked(), false);
        assert.equal(lock.abandoned, false, 'its release cleared it');
      });
    }

    for (const [name, make] of [
      ['SharedLock', () => new SharedLock()],
      ['SharedRLock', () => new SharedRLock()],
      ['SharedSemaphore', () => new SharedSemaphore(1)],
    ] as const) {
      test(`${name}: a thread terminated while waiting leaves the line; the one behind it gets in`, async () => {
        const held = make();
        assert.equal(await held.acquire(), true);
        const first = start(takeAndReport, held, true);
        await until(() => threadsWaiting(held) === 1, 'the first thread waits');
        const second = start(takeAndReport, held, false);
        await until(() => threadsWaiting(held) === 2, 'the second thread waits behind it');
        await killParty(first);
        held.release();
        assert.equal(await resultOf(second), false, 'taken as released, not abandoned');
        if (held instanceof SharedSemaphore) assert.equal(held.value, 1);
        else assert.equal(held.locked(), false);
      });
    }

    test('SharedCondition: a waiter terminated while waiting does not swallow a notify(1)', async () => {
      const cond = new SharedCondition(new SharedLock());
      const waiting = ints(1);
      const doomed = start(waitOnShared, cond, waiting);
      await until(() => Atomics.load(waiting, 0) === 1, 'the first waiter waits');
      const live = start(waitOnShared, cond, waiting);
      await until(() => Atomics.load(waiting, 0) === 2, 'the second waiter waits');
      await killParty(doomed);
      await cond.acquire();
      cond.notify(1);
      cond.release();
      assert.equal(await resultOf(live), true);
    });

    test('SharedBarrier: a thread that dies running the action breaks the barrier for the waiting parties', async () => {
      const barrier = new SharedBarrier(2, { action: hangAction });
      const waiting = barrier.wait();
      const flags = ints(2);
      const last = start(hangInAction, barrier, flags);
      await until(() => Atomics.load(flags, 0) === 1, 'the last party runs the action');
      await killParty(last);
      await assert.rejects(waiting, BrokenBarrierError);
      assert.equal(barrier.broken, true);
      await assert.rejects(barrier.wait(), BrokenBarrierError);
    });

    test('a SharedLock held here may be released by another thread; a SharedRLock only by its owner', async () => {
      const lock = new SharedLock();
      const rlock = new SharedRLock();
      await lock.acquire();
      assert.deepEqual(await resultOf(start(releaseElsewhere, lock)), [false, 'released']);
      assert.equal(lock.locked(), false, 'no owner, as Python Lock');
      await spawn(async () => {
        await rlock.acquire();
        assert.deepEqual(await resultOf(start(releaseElsewhere, rlock)), [false, 'RuntimeError']);
        assert.equal(rlock.locked(), true, 'still held by this task');
        rlock.release();
      });
      assert.equal(rlock.locked(), false);
    });

    test('a shared primitive passed to a process is a TypeError at the call (SharedLock crosses as a handle)', () => {
      for (const primitive of [
        new SharedRLock(),
        new SharedSemaphore(),
        new SharedBoundedSemaphore(),
        new SharedEvent(),
        new SharedCondition(),
        new SharedBarrier(2),
      ]) {
        assert.throws(
          () => new Process(nothing as never, { args: [primitive] }),
          (err: Error) => err instanceof TypeError && /only into threads/.test(err.message),
          primitive.constructor.name,
        );
      }
    });

    test('SharedCondition: a waiter notified from another thread as its timeout runs out counts as notified', async () => {
      const cond = new SharedCondition(new SharedLock());
      const flags = ints(3);
      const notifier = start(notifyOnGo, cond, flags);
      await until(() => Atomics.load(flags, 0) === 1, 'the notifier is ready');
      await cond.acquire();
      const began = performance.now();
      const waiting = cond.wait({ timeout: 20 });
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 1);
      // This thread's loop stays blocked until the notification is in and the timeout is due:
      // whichever of the two it then sees first, the wait was notified.
      while (Atomics.load(flags, 2) === 0 || performance.now() - began < 20) {
        Atomics.wait(flags, 2, 0, 1);
      }
      assert.equal(await waiting, true);
      assert.equal(cond.locked(), true, 'it holds the lock again');
      cond.release();
      await resultOf(notifier);
    });

    test('a lock and a condition over it, sent to a thread side by side, arrive there as one lock', async () => {
      const lock = new SharedLock();
      const cond = new SharedCondition(lock);
      assert.deepEqual(await resultOf(start(sameLock, lock, cond, lock)), [true, true]);
    });
  },
);
