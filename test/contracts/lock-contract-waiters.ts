// Part of the lock contract (lock-contract.ts): what happens to waiters — aborts, races with
// release, FIFO hand-off without barging.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  abortListeners,
  assertAllFulfilled,
  assertBlocks,
  Cancelled,
  gate,
  SHORT_MS,
  sleep,
  type Tracked,
  until,
} from '../support/async-helpers.js';
import type { LockFixtures } from './lock-contract.js';

/** Aborts and fairness, run inside the describe block of `lockContract`. */
export function lockWaiterContract({ withLock, party }: LockFixtures): void {
  describe('abort', () => {
    test(
      'an already-aborted signal rejects with its reason and leaves a free lock free',
      withLock(async (lock) => {
        const reason = new Cancelled('before');
        const signal = AbortSignal.abort(reason);
        await assert.rejects(lock.acquire({ signal }), (err) => err === reason);
        await assert.rejects(lock.guard({ signal }), (err) => err === reason);
        assert.equal(await lock.locked(), false);
        assert.equal(abortListeners(signal), 0);
      }),
    );

    test(
      'aborting a waiting acquire rejects it, removes its listener, and the next waiter is served',
      withLock(async (lock) => {
        await lock.acquire();
        const log: string[] = [];
        const controller = new AbortController();
        const aborted = party(lock, log, 'aborted', { signal: controller.signal });
        const next = party(lock, log, 'next');
        // An acquire may first take its place in line (a round trip to Redis) before it listens.
        await until(
          () => abortListeners(controller.signal) > 0,
          'the acquire listens to its signal',
        );
        await assertBlocks(next, 'the second waiter');
        assert.equal(abortListeners(controller.signal), 1, 'a waiting acquire listens');
        const reason = new Cancelled('while waiting');
        controller.abort(reason);
        await assert.rejects(aborted.promise, (err) => err === reason);
        assert.equal(abortListeners(controller.signal), 0);
        assert.equal(await lock.locked(), true, 'the holder still holds the lock');
        await lock.release();
        assert.equal(await next.promise, 'taken');
        assert.deepEqual(log, ['next']);
        assert.equal(await lock.locked(), false);
      }),
    );

    test(
      'abort and release in the same turn give the lock to exactly one next waiter',
      withLock(async (lock) => {
        await lock.acquire();
        const log: string[] = [];
        const controller = new AbortController();
        const hold = gate();
        const first = party(lock, log, 'first', { signal: controller.signal });
        const second = party(lock, log, 'second', undefined, hold);
        const third = party(lock, log, 'third');
        await assertBlocks(third, 'the third waiter');
        controller.abort(new Cancelled('race'));
        await lock.release();
        await until(() => log.length > 0, 'a waiter got the lock');
        await assertBlocks(third, 'the third waiter, while the second holds the lock');
        await assert.rejects(first.promise, Cancelled);
        assert.deepEqual(log, ['second'], 'one holder, and not the aborted waiter');
        hold.open();
        await assertAllFulfilled([second, third], 'waiter');
        assert.deepEqual(log, ['second', 'third']);
        assert.equal(await lock.locked(), false);
      }),
    );

    test(
      'an abort after the lock was handed over changes nothing',
      withLock(async (lock) => {
        await lock.acquire();
        const log: string[] = [];
        const controller = new AbortController();
        const hold = gate();
        const waiter = party(lock, log, 'waiter', { signal: controller.signal }, hold);
        await assertBlocks(waiter, 'the waiter');
        await lock.release();
        await until(() => log.length === 1, 'the waiter holds the lock');
        assert.equal(abortListeners(controller.signal), 0, 'a served wait drops its listener');
        controller.abort(new Cancelled('too late'));
        await sleep(1);
        assert.equal(await lock.locked(), true, 'the waiter still holds the lock');
        hold.open();
        assert.equal(await waiter.promise, 'taken');
        assert.equal(await lock.locked(), false);
      }),
    );

    test(
      'with both a timeout and a signal, the one that comes first decides and no listener stays',
      withLock(async (lock) => {
        await lock.acquire();
        const log: string[] = [];
        const controller = new AbortController();
        const opts = { timeout: SHORT_MS, signal: controller.signal };
        assert.equal(await party(lock, log, 'timed', opts).promise, 'timed out');
        assert.equal(abortListeners(controller.signal), 0);
        const aborted = party(lock, log, 'aborted', {
          timeout: 60_000,
          signal: controller.signal,
        });
        await assertBlocks(aborted, 'an acquire with a long timeout');
        controller.abort(new Cancelled('first'));
        await assert.rejects(aborted.promise, Cancelled);
        assert.equal(abortListeners(controller.signal), 0);
        await lock.release();
        assert.equal(await lock.locked(), false);
      }),
    );
  });
  describe('fairness', () => {
    test(
      'waiters get the lock in the order they asked, late arrivals included',
      withLock(async (lock) => {
        await lock.acquire();
        const log: string[] = [];
        const parties: Tracked<string>[] = [];
        for (const tag of ['1', '2', '3', '4']) {
          parties.push(party(lock, log, tag));
          await assertBlocks(parties.at(-1)!, `waiter ${tag}`, 1);
        }
        await lock.release();
        await until(() => log.length > 0, 'the first waiter ran');
        parties.push(party(lock, log, '5'));
        await assertAllFulfilled(parties, 'waiter');
        assert.deepEqual(log, ['1', '2', '3', '4', '5']);
      }),
    );

    test(
      'release hands the lock straight to the longest waiter: nobody can barge in',
      withLock(async (lock) => {
        await lock.acquire();
        const log: string[] = [];
        const hold = gate();
        const waiter = party(lock, log, 'waiter', undefined, hold);
        await assertBlocks(waiter, 'the waiter');
        await lock.release();
        assert.equal(await lock.locked(), true, 'the lock went to the waiter, not back to free');
        assert.equal(await lock.tryAcquire(), false, 'tryAcquire cannot take a handed-over lock');
        assert.equal(await lock.acquire({ timeout: 0 }), false);
        const newcomer = party(lock, log, 'newcomer');
        await until(() => log.length === 1, 'the waiter runs');
        hold.open();
        await assertAllFulfilled([waiter, newcomer], 'party');
        assert.deepEqual(log, ['waiter', 'newcomer']);
      }),
    );
  });
}
