// RLock: reentrancy and ownership per task (CPython's lock_tests.RLockTests), and why it refuses to
// run outside a task. The shared lock behaviours run in lock.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Condition, NoTaskError, RLock, RuntimeError, spawn } from '../src/index.js';
import { assertBlocks, gate, TEST_OPTIONS, track, until } from './support/async-helpers.js';

describe('RLock', TEST_OPTIONS, () => {
  test('the owning task may acquire again and must release as many times', async () => {
    const lock = new RLock();
    await spawn(async () => {
      assert.equal(await lock.acquire(), true);
      assert.equal(await lock.acquire(), true);
      assert.equal(lock.tryAcquire(), true);
      lock.release();
      assert.equal(await lock.acquire({ timeout: 0 }), true, 'the owner needs no waiting');
      lock.release();
      lock.release();
      assert.equal(lock.locked(), true, 'one level is still held');
      assert.equal(await spawn(async () => lock.tryAcquire()), false, 'still owned');
      lock.release();
      assert.equal(lock.locked(), false);
      assert.throws(() => lock.release(), RuntimeError);
    });
  });

  test('releasing an unheld RLock throws RuntimeError', async () => {
    const lock = new RLock();
    await spawn(async () => {
      assert.throws(() => lock.release(), RuntimeError);
      await lock.acquire();
      lock.release();
      assert.throws(() => lock.release(), RuntimeError);
    });
    assert.throws(() => lock.release(), RuntimeError, 'unheld, outside any task');
  });

  test('another task cannot release it, and the hold survives the attempt', async () => {
    const lock = new RLock();
    const release = gate();
    const owner = track(
      spawn(async () => {
        await lock.acquire();
        await lock.acquire();
        await release.opened;
        lock.release();
        lock.release();
      }),
    );
    await until(() => lock.locked(), 'the owner holds the lock');
    await spawn(async () => {
      assert.throws(() => lock.release(), RuntimeError);
      assert.equal(lock.tryAcquire(), false);
      assert.equal(await lock.acquire({ timeout: 0 }), false);
    });
    assert.throws(() => lock.release(), /held by task .*not by code outside any task/);
    assert.equal(lock.locked(), true, 'the failed releases changed nothing');
    release.open();
    await owner.promise;
    assert.equal(lock.locked(), false, 'the owner released both levels itself');
  });

  test('ownership follows the task through awaits and timers', async () => {
    const lock = new RLock();
    await spawn(async () => {
      await lock.acquire();
      await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.equal(lock.tryAcquire(), true, 'still the same task after the awaits');
      lock.release();
      lock.release();
    });
    assert.equal(lock.locked(), false);
  });

  test('a task spawned by the owner is a different task and cannot reenter', async () => {
    const lock = new RLock();
    await spawn(async () => {
      await lock.acquire();
      const child = await spawn(async () => lock.acquire({ timeout: 5 }));
      assert.equal(child, false, 'the child had to wait and timed out');
      lock.release();
    });
  });

  test('the waiting task that receives the lock owns it; the previous owner no longer does', async () => {
    const lock = new RLock();
    const releaseA = gate();
    const releaseB = gate();
    const a = track(
      spawn(async () => {
        await lock.acquire();
        await releaseA.opened;
        lock.release();
        assert.throws(() => lock.release(), RuntimeError, 'A no longer owns it');
      }),
    );
    await until(() => lock.locked(), 'A holds the lock');
    const log: string[] = [];
    const b = track(
      spawn(async () => {
        await lock.acquire();
        log.push('B owns');
        await releaseB.opened;
        lock.release();
      }),
    );
    await assertBlocks(b, 'B');
    releaseA.open();
    await a.promise;
    await until(() => log.length === 1, 'B got the lock');
    releaseB.open();
    await b.promise;
    assert.equal(lock.locked(), false);
  });

  describe('outside any task', () => {
    test('acquire and guard reject with NoTaskError (a RuntimeError) telling how to fix it', async () => {
      const lock = new RLock();
      const attempt = lock.acquire(); // a synchronous throw would fail here
      await assert.rejects(attempt, (err: Error) => {
        assert.ok(err instanceof NoTaskError);
        assert.ok(err instanceof RuntimeError);
        assert.match(err.message, /spawn\(/);
        return true;
      });
      await assert.rejects(lock.guard(), NoTaskError);
      assert.equal(lock.locked(), false, 'nothing was taken');
    });

    test('tryAcquire throws NoTaskError', () => {
      const lock = new RLock();
      assert.throws(() => lock.tryAcquire(), NoTaskError);
      assert.equal(lock.locked(), false);
    });

    test('two concurrent plain async functions can never both believe they own it', async () => {
      const lock = new RLock();
      const owners: string[] = [];
      const claim = async (name: string) => {
        await Promise.resolve();
        if (await lock.acquire()) owners.push(name);
      };
      const results = await Promise.allSettled([claim('first'), claim('second')]);
      assert.deepEqual(owners, []);
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.ok((result as PromiseRejectedResult).reason instanceof NoTaskError);
      }
    });
  });

  describe('under a Condition', () => {
    test('wait releases every level of a recursive hold and restores them all', async () => {
      const lock = new RLock();
      const cond = new Condition(lock);
      const log: string[] = [];
      const waiter = track(
        spawn(async () => {
          await cond.acquire();
          await lock.acquire();
          await lock.acquire();
          log.push('waiting');
          assert.equal(await cond.wait(), true);
          log.push('woken');
          lock.release();
          lock.release();
          assert.equal(lock.locked(), true, 'the third level is still held');
          cond.release();
          assert.equal(lock.locked(), false, 'three levels were restored, three released');
          assert.throws(() => lock.release(), RuntimeError);
        }),
      );
      await until(() => log.length === 1 && !lock.locked(), 'the waiter released all levels');
      await spawn(async () => {
        assert.equal(lock.tryAcquire(), true, 'another task can take the lock during the wait');
        cond.notify();
        cond.release();
      });
      await waiter.promise;
      assert.deepEqual(log, ['waiting', 'woken']);
    });

    test('wait and notify by a task that does not own the RLock throw RuntimeError', async () => {
      const lock = new RLock();
      const cond = new Condition(lock);
      const done = gate();
      const owner = track(
        spawn(async () => {
          await lock.acquire();
          await done.opened;
          lock.release();
        }),
      );
      await until(() => lock.locked(), 'the owner holds the lock');
      await spawn(async () => {
        assert.throws(() => cond.notify(), RuntimeError);
        assert.throws(() => cond.notifyAll(), RuntimeError);
        await assert.rejects(cond.wait(), RuntimeError);
      });
      assert.equal(lock.locked(), true, 'the refused wait did not release the owner');
      done.open();
      await owner.promise;
    });
  });
});
