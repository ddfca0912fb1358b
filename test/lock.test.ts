// Lock: the shared lock contract for Lock and RLock, plus what only the owner-less Lock does
// (CPython's lock_tests.LockTests and test_asyncio LockTests).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Lock, RLock, spawn } from '../src/index.js';
import { lockContract } from './contracts/lock-contract.js';
import {
  assertBlocks,
  TEST_OPTIONS,
  taskParties,
  taskPartiesAndMain,
  track,
  until,
} from './support/async-helpers.js';
import { holdInThread, killAll } from './support/dead-party.js';

const noClose = async () => {};

after(killAll);

lockContract({
  name: 'Lock',
  create: async () => {
    const lock = new Lock();
    return { lock, close: noClose, holdElsewhere: () => holdInThread(lock) };
  },
  ...taskParties,
});

lockContract({
  name: 'RLock inside tasks',
  create: async () => {
    const lock = new RLock();
    return { lock, close: noClose, holdElsewhere: () => holdInThread(lock, 2) };
  },
  ...taskPartiesAndMain,
});

describe('Lock only', TEST_OPTIONS, () => {
  test('is not reentrant: a second acquire by the same code waits for a release', async () => {
    const lock = new Lock();
    const phases: string[] = [];
    const worker = track(
      spawn(async () => {
        await lock.acquire();
        phases.push('first');
        await lock.acquire();
        phases.push('second');
      }),
    );
    await until(() => phases.length === 1, 'the worker took the lock once');
    await assertBlocks(worker, 'the second acquire');
    assert.deepEqual(phases, ['first']);
    lock.release();
    await worker.promise;
    assert.deepEqual(phases, ['first', 'second']);
    assert.equal(lock.locked(), true, 'the worker still holds its second acquire');
  });

  test('has no owner: another task, or code outside any task, may release it', async () => {
    const lock = new Lock();
    await spawn(async () => {
      await lock.acquire();
    });
    assert.equal(lock.locked(), true, 'the task ended holding the lock');
    lock.release();
    assert.equal(lock.locked(), false);
    await lock.acquire();
    await spawn(async () => lock.release());
    assert.equal(lock.locked(), false, 'a different task released it');
  });

  test('plain async functions outside any task contend for it safely', async () => {
    const lock = new Lock();
    let inside = 0;
    let most = 0;
    const worker = async () => {
      for (let i = 0; i < 20; i++) {
        await lock.acquire();
        most = Math.max(most, ++inside);
        await Promise.resolve();
        inside--;
        lock.release();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.equal(most, 1);
    assert.equal(lock.locked(), false);
  });

  test('a released lock with nobody waiting is free at once (no hand-off)', async () => {
    const lock = new Lock();
    assert.equal(await lock.acquire(), true);
    lock.release();
    assert.equal(lock.locked(), false);
    assert.equal(lock.tryAcquire(), true);
  });

  test('the test body may release a lock that a waiting task then receives in FIFO order', async () => {
    // asyncio's test_acquire: the releaser is not the holder, and each release serves one waiter.
    const lock = new Lock();
    const result: number[] = [];
    await lock.acquire();
    const waiter = (n: number) =>
      track(
        spawn(async () => {
          if (await lock.acquire()) result.push(n);
        }),
      );
    const first = waiter(1);
    const second = waiter(2);
    await assertBlocks(second, 'the second waiter', 1);
    lock.release();
    await first.promise;
    assert.deepEqual(result, [1]);
    const third = waiter(3);
    await assertBlocks(third, 'the third waiter', 1);
    lock.release();
    await second.promise;
    assert.deepEqual(result, [1, 2]);
    lock.release();
    await third.promise;
    assert.deepEqual(result, [1, 2, 3]);
    assert.equal(lock.locked(), true, 'the last waiter holds the lock');
  });

  test('timeout 0 answers without waiting for any timer', async () => {
    const lock = new Lock();
    await lock.acquire();
    const attempt = track(lock.acquire({ timeout: 0 }));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    assert.equal(attempt.state, 'fulfilled', 'settled within the same turn of the event loop');
    assert.equal(attempt.value, false);
  });

  test('is not awaitable: `await lock` is a mistake, not a wait', () => {
    assert.equal('then' in new Lock(), false);
    assert.equal('then' in new RLock(), false);
  });

  test('locks get increasing ordinals in creation order', () => {
    const a = new Lock();
    const b = new RLock();
    const c = new Lock();
    assert.ok(a.ordinal < b.ordinal && b.ordinal < c.ordinal);
  });
});
