// The behaviours every mutual-exclusion lock shares (CPython's lock_tests.BaseLockTests and
// test_asyncio LockTests), run against each implementation: a new implementation only adds an impl object.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuntimeError, TimeoutError, type WaitOptions } from '../../src/index.js';
import {
  assertAllFulfilled,
  assertBlocks,
  type Gate,
  gate,
  holder,
  inMain,
  type MaybePromise,
  type Runner,
  SHORT_MS,
  sleep,
  TEST_OPTIONS,
  type Tracked,
  track,
  until,
} from '../support/async-helpers.js';
import { lockAbandonedContract } from './lock-contract-abandoned.js';
import { lockWaiterContract } from './lock-contract-waiters.js';

/** What every lock offers, whatever scope it lives in. The suite awaits every call. */
export interface LockLike {
  acquire(opts?: WaitOptions): Promise<boolean>;
  tryAcquire(): MaybePromise<boolean>;
  release(): MaybePromise<void>;
  locked(): MaybePromise<boolean>;
  guard(opts?: WaitOptions): Promise<Disposable>;
  /** Taken away from a holder that died (a handle: as of the owner's last answer). */
  readonly abandoned: boolean;
}

/** A party elsewhere (a thread) that holds the lock until `die()` kills it. */
export interface DyingHolder {
  die(): Promise<void>;
}

/** One lock implementation the contract runs against. */
export interface LockImpl extends Runner {
  name: string;
  create(): Promise<{
    lock: LockLike;
    close(): Promise<void>;
    /** Starts a thread that takes the same lock (an RLock: twice over) and holds it until killed. */
    holdElsewhere(): Promise<DyingHolder>;
  }>;
}

/** The shared fixtures of the lockContract parts: each test builds its own primitive from them. */
export function lockFixtures(impl: LockImpl) {
  /** A test body run with a fresh lock, as the implementation's main party; the lock is closed afterwards. */
  const withLock =
    (body: (lock: LockLike, holdElsewhere: () => Promise<DyingHolder>) => Promise<void>) =>
    async () => {
      const { lock, close, holdElsewhere } = await impl.create();
      try {
        await inMain(impl, () => body(lock, holdElsewhere));
      } finally {
        await close();
      }
    };

  /**
   * A separate party that takes the lock, logs `tag`, keeps it until `hold` opens and releases it.
   * Resolves `'taken'` or `'timed out'`; rejects with whatever `acquire` rejected with.
   */
  const party = (
    lock: LockLike,
    log: string[],
    tag: string,
    opts?: WaitOptions,
    hold?: Gate,
  ): Tracked<string> => holder(impl, lock, log, tag, opts, hold);

  return { impl, withLock, party };
}

export type LockFixtures = ReturnType<typeof lockFixtures>;

export function lockContract(impl: LockImpl): void {
  const fx = lockFixtures(impl);
  const { withLock, party } = fx;

  describe(`${impl.name}: lock contract`, impl.hangGuard ?? TEST_OPTIONS, () => {
    describe('acquire and release', () => {
      test(
        'acquire takes a free lock and release frees it',
        withLock(async (lock) => {
          assert.equal(await lock.locked(), false);
          assert.equal(await lock.acquire(), true);
          assert.equal(await lock.locked(), true);
          await lock.release();
          assert.equal(await lock.locked(), false);
          assert.equal(await lock.acquire(), true, 'the lock can be taken again');
          await lock.release();
        }),
      );

      test(
        'tryAcquire takes a free lock, and another party cannot take it while it is held',
        withLock(async (lock) => {
          assert.equal(await lock.tryAcquire(), true);
          assert.equal(await lock.locked(), true);
          assert.equal(await impl.run(async () => lock.tryAcquire()), false);
          await lock.release();
          assert.equal(await impl.run(async () => lock.tryAcquire()), true);
          assert.equal(await lock.locked(), true, 'the other party took it');
        }),
      );

      test(
        'releasing a lock that is not held throws RuntimeError',
        withLock(async (lock) => {
          await assert.rejects(async () => lock.release(), RuntimeError);
          await lock.acquire();
          await lock.release();
          await assert.rejects(async () => lock.release(), RuntimeError);
          assert.equal(await lock.locked(), false);
          assert.equal(await lock.tryAcquire(), true, 'a failed release leaves the lock usable');
          await lock.release();
        }),
      );

      test(
        'contending parties wait until the holder releases, then all get their turn',
        withLock(async (lock) => {
          await lock.acquire();
          const log: string[] = [];
          const parties = ['a', 'b', 'c', 'd', 'e'].map((tag) => party(lock, log, tag));
          await assertBlocks(parties[4]!, 'the last contender');
          assert.deepEqual(log, [], 'nobody got in while the lock was held');
          await lock.release();
          await assertAllFulfilled(parties, 'contender');
          assert.deepEqual(log.toSorted(), ['a', 'b', 'c', 'd', 'e']);
          assert.equal(await lock.locked(), false);
        }),
      );
    });

    describe('timeouts', () => {
      test(
        'acquire resolves false when the timeout runs out, and the lock stays as it was',
        withLock(async (lock) => {
          await lock.acquire();
          const log: string[] = [];
          assert.equal(await party(lock, log, 'late', { timeout: SHORT_MS }).promise, 'timed out');
          assert.equal(await lock.locked(), true, 'the holder still holds it');
          await lock.release();
          assert.equal(await lock.locked(), false, 'the timed-out waiter was not handed the lock');
          assert.equal(await lock.tryAcquire(), true);
          await lock.release();
        }),
      );

      test(
        'timeout 0 takes a free lock and reports false for a held one, leaving nothing queued',
        withLock(async (lock) => {
          assert.equal(await lock.acquire({ timeout: 0 }), true);
          const attempt = track(impl.run(() => lock.acquire({ timeout: 0 })));
          await until(() => attempt.state !== 'pending', 'the try without waiting answered');
          assert.equal(attempt.value, false);
          await lock.release();
          assert.equal(await lock.locked(), false, 'the try left nothing queued');
        }),
      );

      test(
        'a timeout beyond what one timer can hold does not fire early',
        withLock(async (lock) => {
          await lock.acquire();
          const log: string[] = [];
          // setTimeout turns delays above 2^31-1 ms into 1 ms; such a wait must still block.
          const waiter = party(lock, log, 'patient', { timeout: 2 ** 31 + 1_000 });
          await assertBlocks(waiter, 'a wait with a huge timeout', 3 * SHORT_MS);
          await lock.release();
          assert.equal(await waiter.promise, 'taken');
        }),
      );

      test(
        'timeout Infinity waits until the lock is released',
        withLock(async (lock) => {
          await lock.acquire();
          const log: string[] = [];
          const waiter = party(lock, log, 'forever', { timeout: Number.POSITIVE_INFINITY });
          await assertBlocks(waiter, 'an acquire without a deadline');
          await lock.release();
          assert.equal(await waiter.promise, 'taken');
        }),
      );

      test(
        'invalid options reject (never throw) and neither take nor queue',
        withLock(async (lock) => {
          const bad: [unknown, new (...args: never[]) => Error][] = [
            [{ timeout: -1 }, RangeError],
            [{ timeout: -100 }, RangeError],
            [{ timeout: Number.NaN }, TypeError],
            [{ timeout: '5' }, TypeError],
            [{ signal: {} }, TypeError],
            [null, TypeError],
            [5, TypeError],
          ];
          for (const [opts, error] of bad) {
            const attempt = lock.acquire(opts as WaitOptions); // a synchronous throw fails here
            await assert.rejects(attempt, error, `acquire(${JSON.stringify(opts)})`);
            assert.equal(await lock.locked(), false, 'a refused acquire does not take a free lock');
          }
          await lock.acquire();
          await assert.rejects(lock.guard({ timeout: -1 }), RangeError);
          await lock.release();
          assert.equal(await lock.locked(), false, 'a refused acquire left nothing queued');
        }),
      );
    });

    describe('guard', () => {
      test(
        'guard holds the lock for a using block and releases at its end, also when it throws',
        withLock(async (lock) => {
          {
            using _held = await lock.guard();
            assert.equal(await lock.locked(), true);
          }
          assert.equal(await lock.locked(), false);
          const failure = new Error('inside the block');
          await assert.rejects(async () => {
            using _held = await lock.guard();
            throw failure;
          }, failure);
          assert.equal(await lock.locked(), false, 'released although the block threw');
          assert.equal(await impl.run(async () => lock.tryAcquire()), true);
        }),
      );

      test(
        'guard rejects with TimeoutError when the timeout runs out, leaving nothing queued',
        withLock(async (lock) => {
          await lock.acquire();
          const attempt = track(impl.run(() => lock.guard({ timeout: SHORT_MS })));
          await assert.rejects(attempt.promise, (err: Error) => {
            assert.ok(err instanceof TimeoutError);
            assert.equal(err.name, 'TimeoutError');
            return true;
          });
          await lock.release();
          assert.equal(await lock.locked(), false);
        }),
      );

      test(
        'disposing a guard twice releases once',
        withLock(async (lock) => {
          const held = await lock.guard();
          held[Symbol.dispose]();
          assert.equal(await lock.locked(), false);
          const log: string[] = [];
          const hold = gate();
          const other = party(lock, log, 'other', undefined, hold);
          await until(() => log.length === 1, 'another party took the lock');
          held[Symbol.dispose]();
          assert.equal(
            await lock.locked(),
            true,
            "the second dispose did not release the other's hold",
          );
          hold.open();
          await other.promise;
          assert.equal(await lock.locked(), false);
        }),
      );
    });

    test(
      'many contending parties never overlap inside the lock',
      withLock(async (lock) => {
        let inside = 0;
        let most = 0;
        let entries = 0;
        const work = async (viaGuard: boolean) => {
          for (let i = 0; i < 15; i++) {
            const release = viaGuard ? await lock.guard() : undefined;
            if (!viaGuard) await lock.acquire();
            inside++;
            most = Math.max(most, inside);
            entries++;
            await (i % 3 === 0 ? sleep(0) : Promise.resolve());
            inside--;
            if (release) release[Symbol.dispose]();
            else await lock.release();
          }
        };
        const parties = Array.from({ length: 12 }, (_, i) =>
          track(impl.run(() => work(i % 2 === 0))),
        );
        await assertAllFulfilled(parties, 'worker');
        assert.equal(most, 1, 'at most one party inside at any time');
        assert.equal(entries, 12 * 15);
        assert.equal(await lock.locked(), false);
      }),
    );

    lockWaiterContract(fx);
  });

  // Outside the suite above: each of these starts a thread, which its time limit is not for.
  lockAbandonedContract(fx);
}
