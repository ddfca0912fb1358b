// Condition: the shared condition contract over a Lock and over an RLock, plus what only the
// task-scope class does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Condition, Lock, RLock, Semaphore, spawn } from '../src/index.js';
import { conditionContract } from './contracts/condition-contract.js';
import {
  assertBlocks,
  Cancelled,
  TEST_OPTIONS,
  taskParties,
  taskPartiesAndMain,
  track,
  until,
} from './support/async-helpers.js';

const noClose = async () => {};

conditionContract({
  name: 'Condition over its own Lock',
  create: async () => ({ cond: new Condition(), close: noClose }),
  ...taskParties,
});

conditionContract({
  name: 'Condition over an RLock, inside tasks',
  create: async () => ({ cond: new Condition(new RLock()), close: noClose }),
  ...taskPartiesAndMain,
});

describe('Condition only', TEST_OPTIONS, () => {
  test('builds on a new Lock by default, or on the lock it is given', async () => {
    const own = new Condition();
    assert.ok(own.lock instanceof Lock);
    const lock = new Lock();
    const cond = new Condition(lock);
    assert.equal(cond.lock, lock);
    await cond.acquire();
    assert.equal(lock.locked(), true);
    assert.equal(lock.tryAcquire(), false);
    cond.release();
    assert.equal(lock.tryAcquire(), true, 'the condition released the shared lock');
    assert.equal(cond.locked(), true);
    assert.equal(await cond.acquire({ timeout: 0 }), false);
    lock.release();
    {
      using _held = await cond.guard();
      assert.equal(lock.tryAcquire(), false);
    }
    assert.equal(lock.locked(), false);
  });

  test('refuses anything that is not a weft Lock or RLock', () => {
    for (const bad of [new Semaphore(), {}, null, 'lock']) {
      assert.throws(() => new Condition(bad as unknown as Lock), TypeError);
    }
  });

  test('over a Lock, any code may release the lock a notified waiter took back', async () => {
    // asyncio's test_wait: each waiter returns holding the lock and never releases it itself.
    const cond = new Condition();
    const result: number[] = [];
    const waiter = (n: number) =>
      track(
        spawn(async () => {
          await cond.acquire();
          if (await cond.wait()) result.push(n);
        }),
      );
    const parties = [waiter(1), waiter(2), waiter(3)];
    await until(() => !cond.locked(), 'all three wait');
    await assertBlocks(parties[2]!, 'the third waiter', 1);
    await cond.acquire();
    cond.notify();
    await assertBlocks(parties[0]!, 'the notified waiter, while the lock is held');
    cond.release();
    await parties[0]!.promise;
    assert.deepEqual(result, [1]);
    assert.equal(cond.locked(), true, 'the first waiter returned holding the lock');
    cond.notify(2);
    await assertBlocks(parties[1]!, 'the second waiter, while the first holds the lock');
    cond.release();
    await parties[1]!.promise;
    assert.deepEqual(result, [1, 2]);
    cond.release();
    await parties[2]!.promise;
    assert.deepEqual(result, [1, 2, 3]);
    assert.equal(cond.locked(), true);
  });

  test('a waiter notified and then aborted while taking the lock back keeps the notification', async () => {
    // Taking the lock back cannot be interrupted; the wait already succeeded, so it returns true.
    const cond = new Condition();
    const controller = new AbortController();
    const log: string[] = [];
    const notified = track(
      spawn(async () => {
        using _held = await cond.guard();
        return await cond.wait({ signal: controller.signal });
      }),
    );
    await until(() => !cond.locked(), 'the waiter waits');
    const other = track(
      spawn(async () => {
        using _held = await cond.guard();
        log.push('other waits');
        return await cond.wait();
      }),
    );
    await until(() => log.length === 1 && !cond.locked(), 'the other waits');
    await cond.acquire();
    cond.notify(1);
    controller.abort(new Cancelled('while taking the lock back'));
    cond.release();
    assert.equal(await notified.promise, true);
    await assertBlocks(other, 'the other waiter, which nobody notified');
    await cond.acquire();
    cond.notify(1);
    cond.release();
    assert.equal(await other.promise, true);
  });

  test('is not awaitable: `await cond` is a mistake, not a wait', () => {
    assert.equal('then' in new Condition(), false);
  });
});
