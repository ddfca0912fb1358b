// Lock loans (issue 11, point 3): a Lock used through a handle by one thread at a time is
// lent to that thread, whose acquires and releases then cost no round trip; the owner recalls
// the loan as soon as anyone else asks, and a borrower that dies gives the lock back marked
// abandoned only if a task of it held the lock.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import { Event, Lock, type LockHandle, spawn } from '../src/index.js';
import { outboxCounts } from '../src/remote/outbox.js';
import { WAITING } from '../src/sync/holder-protocol.js';
import { useThenHang } from './fixtures/dead-party-targets.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { TEST_OPTIONS, until } from './support/async-helpers.js';
import {
  holder,
  killAll,
  killParty,
  PARTY_KINDS,
  PATIENCE,
  seededRandom,
  startParty,
} from './support/dead-party.js';

after(closeLocalHandles);
after(killAll);

/** A small pause that lets messages in flight arrive (several turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

for (const to of ['thread', 'process'] as const satisfies Destination[]) {
  describe(`a Lock lent to its handle (${to} handle)`, TEST_OPTIONS, () => {
    test('once lent, acquires and releases send nothing to the owner', async () => {
      const lock = new Lock();
      const { handle, close } = await localHandle<LockHandle>(lock, to);
      try {
        assert.equal(await handle.acquire(), true);
        assert.equal(lock.locked(), true, 'the owner sees the borrower hold it');
        await handle.release();
        await settle();
        const before = outboxCounts.messages;
        for (let i = 0; i < 100; i++) {
          assert.equal(await handle.acquire(), true);
          assert.equal(await handle.locked(), true);
          await handle.release();
        }
        assert.equal(await handle.tryAcquire(), true);
        assert.equal(await handle.tryAcquire(), false, 'held here: a second try fails');
        await handle.release();
        // At most a word or two on whether it is held (sent once a turn), never a round trip each.
        assert.ok(
          outboxCounts.messages - before <= 4,
          `${outboxCounts.messages - before} messages`,
        );
        await until(() => !lock.locked(), 'the owner heard the lock is free');
      } finally {
        await close();
      }
      assert.equal(lock.locked(), false);
    });

    test('the owner asking recalls a loan: at once when idle, at the release when held', async () => {
      const lock = new Lock();
      const { handle, close } = await localHandle<LockHandle>(lock, to);
      try {
        // Idle loan: the owner's acquire gets it back.
        await handle.acquire();
        await handle.release();
        assert.equal(await lock.acquire(PATIENCE), true, 'an idle loan came back');
        const borrowerWaits = handle.acquire();
        await settle();
        lock.release();
        assert.equal(await borrowerWaits, true, 'lent again once the owner let go');
        // Held loan: the owner waits for the borrower's release.
        let inside = true;
        const ownerWaits = lock.acquire(PATIENCE).then((got) => {
          assert.equal(inside, false, 'the owner got the lock only after the release');
          return got;
        });
        await settle();
        inside = false;
        await handle.release();
        assert.equal(await ownerWaits, true);
        assert.equal(lock.abandoned, false);
        lock.release();
        // A try that fails recalls the loan too: a retry succeeds soon after.
        await handle.acquire();
        await handle.release();
        assert.equal(lock.tryAcquire(), false, 'still lent');
        await until(() => lock.tryAcquire(), 'the failed try recalled the loan');
        lock.release();
      } finally {
        await close();
      }
    });

    test('two handles and the owner’s tasks contending never overlap, and every waiter is served', async () => {
      const lock = new Lock();
      const first = await localHandle<LockHandle>(lock, to);
      const second = await localHandle<LockHandle>(lock, to);
      const random = seededRandom(Number(process.env.WEFT_PROPERTY_SEED ?? 41));
      let inside = 0;
      let entered = 0;
      const user = async (
        acquire: () => Promise<boolean>,
        release: () => unknown,
        times: number,
      ) => {
        for (let i = 0; i < times; i++) {
          assert.equal(await acquire(), true);
          inside++;
          assert.equal(inside, 1, 'two holders at once');
          entered++;
          if (random() < 0.5) await settle();
          inside--;
          await release();
        }
      };
      try {
        await Promise.all([
          user(
            () => first.handle.acquire(),
            () => first.handle.release(),
            30,
          ),
          user(
            () => second.handle.acquire(),
            () => second.handle.release(),
            30,
          ),
          spawn(() =>
            user(
              () => lock.acquire(),
              () => lock.release(),
              30,
            ),
          ).join(),
          user(
            () => first.handle.acquire({ timeout: 60_000 }),
            () => first.handle.release(),
            10,
          ),
        ]);
        assert.equal(entered, 100);
      } finally {
        await first.close();
        await second.close();
      }
      await until(() => !lock.locked(), 'every loan came back when its handle let go');
    });

    test('a borrow given up (timeout, abort) leaves no trace and the lock free', async () => {
      const lock = new Lock();
      const { handle, close } = await localHandle<LockHandle>(lock, to);
      try {
        await lock.acquire();
        assert.equal(await handle.acquire({ timeout: 20 }), false);
        const controller = new AbortController();
        const aborted = handle.acquire({ signal: controller.signal });
        controller.abort(new Error('changed my mind'));
        await assert.rejects(aborted, /changed my mind/);
        lock.release();
        // A borrow given up leaves the owner's line once its withdrawal arrives, and one granted
        // before that comes back: the lock is then the owner's to take (`locked()` alone is
        // false already while the lock is lent and nobody holds it).
        await until(() => {
          if (lock[WAITING] > 0 || !lock.tryAcquire()) return false;
          lock.release();
          return true;
        }, 'a borrow granted after it was given up came back');
        assert.equal(await handle.acquire({ timeout: 0 }), true);
        await handle.release();
      } finally {
        await close();
      }
    });
  });
}

for (const kind of PARTY_KINDS) {
  describe(`a ${kind} that dies with a Lock on loan`, { timeout: 300_000 }, () => {
    test('held by its task: the lock comes back abandoned', async () => {
      const lock = new Lock();
      const party = await holder(kind, [lock, 1]);
      await killParty(party);
      assert.equal(await lock.acquire(PATIENCE), true);
      assert.equal(lock.abandoned, true);
      lock.release();
    });

    test('idle (its tasks released it): the lock comes back clean', async () => {
      const lock = new Lock();
      const ready = new Event();
      const party = startParty(kind, useThenHang, [lock, 20, ready]);
      assert.equal(await ready.wait(PATIENCE), true);
      await until(() => !lock.locked(), 'the party said its tasks let go');
      await killParty(party);
      assert.equal(await lock.acquire(PATIENCE), true);
      assert.equal(lock.abandoned, false, 'nobody held it: nothing to repair');
      lock.release();
    });
  });
}
