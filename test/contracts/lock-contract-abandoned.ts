// Part of the lock contract (lock-contract.ts): a holder that dies (a thread killed while it
// holds the lock) loses it, and the next holder learns so from `abandoned`, the robust mutex's
// "owner died", until its release.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertBlocks, track, until, WORKER_SUITE } from '../support/async-helpers.js';
import type { LockFixtures } from './lock-contract.js';

/** Run by `lockContract`, as a suite of its own (its tests start threads). */
export function lockAbandonedContract({ impl, withLock }: LockFixtures): void {
  describe(`${impl.name}: a holder that dies`, WORKER_SUITE, () => {
    test(
      'the next holder, already waiting, learns the lock was abandoned; its release clears it',
      withLock(async (lock, holdElsewhere) => {
        assert.equal(lock.abandoned, false);
        const dying = await holdElsewhere();
        const next = track(
          impl.run(async () => {
            const taken = await lock.acquire();
            const abandoned = lock.abandoned;
            await lock.release();
            return { taken, abandoned, afterRelease: lock.abandoned };
          }),
        );
        await assertBlocks(next, 'the next holder');
        await dying.die();
        assert.deepEqual(await next.promise, { taken: true, abandoned: true, afterRelease: false });
        assert.equal(await lock.locked(), false);
      }),
    );

    test(
      'a lock a dead holder leaves free is abandoned for whoever takes it next',
      withLock(async (lock, holdElsewhere) => {
        await (await holdElsewhere()).die();
        await until(async () => !(await lock.locked()), 'the lock was given back', 30_000);
        assert.equal(await lock.acquire(), true);
        assert.equal(lock.abandoned, true);
        await lock.release();
        assert.equal(lock.abandoned, false);
        assert.equal(await lock.acquire(), true, 'the lock works as before');
        assert.equal(lock.abandoned, false, 'a normal hand-over is not abandoned');
        await lock.release();
      }),
    );
  });
}
