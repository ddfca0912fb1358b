// The behaviours every counting semaphore shares (CPython's lock_tests.BaseSemaphoreTests,
// SemaphoreTests, BoundedSemaphoreTests and test_asyncio SemaphoreTests), run against each implementation.
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
import { semaphoreAbortContract } from './semaphore-contract-abort.js';

/** What every semaphore offers, whatever scope it lives in. The suite awaits every call. */
export interface SemaphoreLike {
  readonly value: MaybePromise<number>;
  acquire(opts?: WaitOptions): Promise<boolean>;
  tryAcquire(): MaybePromise<boolean>;
  release(n?: number): MaybePromise<void>;
  guard(opts?: WaitOptions): Promise<Disposable>;
}

/** One semaphore implementation the contract runs against. */
export interface SemaphoreImpl extends Runner {
  name: string;
  /** Whether releases above the initial value are refused (BoundedSemaphore). */
  bounded: boolean;
  create(value?: number): Promise<{ sem: SemaphoreLike; close(): Promise<void> }>;
}

/** The shared fixtures of the semaphoreContract parts: each test builds its own primitive from them. */
export function semaphoreFixtures(impl: SemaphoreImpl) {
  const withSem =
    (value: number | undefined, body: (sem: SemaphoreLike) => Promise<void>) => async () => {
      const { sem, close } = await impl.create(value);
      try {
        await inMain(impl, () => body(sem));
      } finally {
        await close();
      }
    };

  /** A separate party that takes a permit, logs `tag`, keeps it until `hold` opens and gives it back. */
  const party = (
    sem: SemaphoreLike,
    log: string[],
    tag: string,
    opts?: WaitOptions,
    hold?: Gate,
  ): Tracked<string> => holder(impl, sem, log, tag, opts, hold);

  /** Starts parties that each take one permit and keep it, one after the other so their queue order is known. */
  const queueTakers = async (
    sem: SemaphoreLike,
    log: string[],
    tags: string[],
    opts?: WaitOptions,
  ) => {
    const takers: Tracked<boolean>[] = [];
    for (const tag of tags) {
      takers.push(
        track(
          impl.run(async () => {
            const ok = await sem.acquire(opts);
            if (ok) log.push(tag);
            return ok;
          }),
        ),
      );
      await assertBlocks(takers.at(-1)!, `taker ${tag}`, 1);
    }
    return takers;
  };

  /** Takes every permit of a fresh semaphore, so that later releases stay within a bound. */
  const takeAll = async (sem: SemaphoreLike) => {
    for (let n = await sem.value; n > 0; n--) assert.equal(await sem.tryAcquire(), true);
  };

  return { withSem, party, queueTakers, takeAll };
}

export type SemaphoreFixtures = ReturnType<typeof semaphoreFixtures>;

export function semaphoreContract(impl: SemaphoreImpl): void {
  const fx = semaphoreFixtures(impl);
  const { withSem, party, queueTakers, takeAll } = fx;

  describe(`${impl.name}: semaphore contract`, impl.hangGuard ?? TEST_OPTIONS, () => {
    test(
      'acquire takes permits and release gives them back',
      withSem(2, async (sem) => {
        assert.equal(await sem.value, 2);
        assert.equal(await sem.acquire(), true);
        assert.equal(await sem.acquire(), true);
        assert.equal(await sem.value, 0);
        await sem.release();
        await sem.release();
        assert.equal(await sem.value, 2);
      }),
    );

    test(
      'the default value is one permit',
      withSem(undefined, async (sem) => {
        assert.equal(await sem.value, 1);
        await sem.acquire();
        const log: string[] = [];
        const other = party(sem, log, 'other');
        await assertBlocks(other, 'a second acquire');
        await sem.release();
        assert.equal(await other.promise, 'taken');
        assert.equal(await sem.value, 1);
      }),
    );

    test(
      'tryAcquire takes a permit only when one is free',
      withSem(2, async (sem) => {
        assert.equal(await sem.tryAcquire(), true);
        assert.equal(await sem.tryAcquire(), true);
        assert.equal(await sem.tryAcquire(), false);
        await sem.release();
        assert.equal(await sem.tryAcquire(), true);
        assert.equal(await sem.value, 0);
      }),
    );

    test(
      'parties trying concurrently take exactly the free permits',
      withSem(4, async (sem) => {
        await sem.acquire();
        const tries = Array.from({ length: 5 }, () =>
          track(impl.run(async () => [await sem.tryAcquire(), await sem.tryAcquire()])),
        );
        await assertAllFulfilled(tries, 'trying party');
        const outcomes = tries.flatMap((t) => t.value!);
        assert.equal(outcomes.filter(Boolean).length, 3);
        assert.equal(outcomes.length, 10);
        assert.equal(await sem.value, 0);
      }),
    );

    test(
      'contended acquires go through in phases, as many as permits are released',
      withSem(7, async (sem) => {
        await sem.acquire();
        let phase = 0;
        const entered: number[] = [];
        const workers = Array.from({ length: 10 }, () =>
          track(
            impl.run(async () => {
              await sem.acquire();
              entered.push(phase);
              await sem.acquire();
              entered.push(phase);
            }),
          ),
        );
        await until(() => entered.length === 6, 'six permits were taken');
        await sleep(SHORT_MS);
        assert.deepEqual(entered, Array(6).fill(0), 'no more than the free permits');
        phase = 1;
        for (let i = 0; i < 7; i++) await sem.release();
        await until(() => entered.length === 13, 'seven more went through');
        phase = 2;
        await sem.release(6);
        await until(() => entered.length === 19, 'six more went through');
        await sleep(SHORT_MS);
        assert.deepEqual(entered.toSorted(), [
          ...Array(6).fill(0),
          ...Array(7).fill(1),
          ...Array(6).fill(2),
        ]);
        assert.equal(await sem.tryAcquire(), false, 'one worker still waits: nothing is free');
        await sem.release();
        await assertAllFulfilled(workers, 'worker');
        assert.equal(entered.length, 20);
        assert.equal(await sem.value, 0);
      }),
    );

    test(
      'acquire resolves false when the timeout runs out, without consuming a permit',
      withSem(2, async (sem) => {
        assert.equal(await sem.acquire({ timeout: 5 }), true);
        assert.equal(await sem.acquire({ timeout: 5 }), true);
        assert.equal(await sem.acquire({ timeout: SHORT_MS }), false);
        assert.equal(await sem.acquire({ timeout: 0 }), false);
        await sem.release();
        assert.equal(await sem.value, 1, 'the timed-out waiters left the queue');
        assert.equal(await sem.acquire({ timeout: 0 }), true);
        assert.equal(await sem.value, 0);
      }),
    );

    test(
      'invalid options reject (never throw) and neither take nor queue',
      withSem(1, async (sem) => {
        const attempt = sem.acquire({ timeout: -1 }); // a synchronous throw fails here
        await assert.rejects(attempt, RangeError);
        await assert.rejects(sem.acquire({ timeout: Number.NaN }), TypeError);
        await assert.rejects(sem.acquire({ signal: 'stop' as unknown as AbortSignal }), TypeError);
        await assert.rejects(sem.guard({ timeout: -5 }), RangeError);
        assert.equal(await sem.value, 1);
      }),
    );

    test(
      'release(n) serves up to n waiters in FIFO order and adds the rest to value',
      withSem(5, async (sem) => {
        await takeAll(sem);
        const log: string[] = [];
        const takers = await queueTakers(sem, log, ['a', 'b', 'c']);
        await sem.release(2);
        await until(() => log.length === 2, 'two waiters were served');
        await assertBlocks(takers[2]!, 'the third waiter');
        assert.deepEqual(log, ['a', 'b']);
        assert.equal(await sem.value, 0);
        await sem.release(3);
        await assertAllFulfilled(takers, 'taker');
        assert.deepEqual(log, ['a', 'b', 'c']);
        assert.equal(await sem.value, 2, 'the permits nobody waited for were added');
      }),
    );

    test(
      'release(n) refuses n that is not a positive integer, changing nothing',
      withSem(1, async (sem) => {
        for (const n of [0, -1, 1.5, Number.NaN]) {
          await assert.rejects(async () => sem.release(n), RangeError, `release(${n})`);
        }
        assert.equal(await sem.value, 1);
      }),
    );

    test(
      'a released permit goes straight to the longest waiter: nobody can barge in',
      withSem(1, async (sem) => {
        await sem.acquire();
        const log: string[] = [];
        const hold = gate();
        const waiter = party(sem, log, 'waiter', undefined, hold);
        await assertBlocks(waiter, 'the waiter');
        await sem.release();
        assert.equal(await sem.value, 0, 'the permit went to the waiter');
        assert.equal(await sem.tryAcquire(), false);
        const newcomer = party(sem, log, 'newcomer');
        await until(() => log.length === 1, 'the waiter got in');
        hold.open();
        await assertAllFulfilled([waiter, newcomer], 'party');
        assert.deepEqual(log, ['waiter', 'newcomer']);
        assert.equal(await sem.value, 1);
      }),
    );

    test(
      'parties that take a permit twice are served in FIFO order both times',
      withSem(1, async (sem) => {
        const log: string[] = [];
        const twice = (tag: string) =>
          track(
            impl.run(async () => {
              for (const round of [1, 2]) {
                await sem.acquire();
                log.push(`${tag}_${round}`);
                await sleep(2);
                await sem.release();
              }
            }),
          );
        const parties = [];
        for (const tag of ['c1', 'c2', 'c3']) {
          parties.push(twice(tag));
          await until(() => log.length > 0, 'the first party got in');
        }
        await assertAllFulfilled(parties, 'party');
        assert.deepEqual(log, ['c1_1', 'c2_1', 'c3_1', 'c1_2', 'c2_2', 'c3_2']);
      }),
    );

    test(
      'a served waiter that gives back and re-takes a permit queues behind earlier waiters',
      withSem(3, async (sem) => {
        await takeAll(sem);
        const log: string[] = [];
        const first = await queueTakers(sem, log, ['1']);
        const second = track(
          impl.run(async () => {
            await sem.acquire();
            log.push('2');
            await sem.release();
            await sem.acquire();
            log.push('4');
          }),
        );
        await assertBlocks(second, 'the second taker', 1);
        const third = await queueTakers(sem, log, ['3']);
        await sem.release(3);
        await assertAllFulfilled([...first, second, ...third], 'taker');
        assert.deepEqual(log, ['1', '2', '3', '4']);
        assert.equal(await sem.value, 0);
      }),
    );

    describe('guard', () => {
      test(
        'nested guards hold one permit each and give them back, also when the block throws',
        withSem(2, async (sem) => {
          const nested = async (failure?: Error) => {
            using _outer = await sem.guard();
            assert.equal(await sem.tryAcquire(), true);
            await sem.release();
            using _inner = await sem.guard();
            assert.equal(await sem.tryAcquire(), false);
            if (failure) throw failure;
          };
          await nested();
          assert.equal(await sem.value, 2);
          const failure = new TypeError('inside');
          await assert.rejects(nested(failure), failure);
          assert.equal(await sem.value, 2);
        }),
      );

      test(
        'guard rejects with TimeoutError when no permit comes in time',
        withSem(1, async (sem) => {
          await takeAll(sem);
          await assert.rejects(sem.guard({ timeout: SHORT_MS }), TimeoutError);
          await sem.release();
          assert.equal(await sem.value, 1, 'the timed-out guard left nothing queued');
        }),
      );
    });

    test(
      'many parties never hold more permits than the semaphore has',
      withSem(3, async (sem) => {
        let inside = 0;
        let most = 0;
        const workers = Array.from({ length: 15 }, (_, i) =>
          track(
            impl.run(async () => {
              for (let round = 0; round < 10; round++) {
                using _permit = await sem.guard();
                most = Math.max(most, ++inside);
                await (round % 2 === i % 2 ? sleep(0) : Promise.resolve());
                inside--;
              }
            }),
          ),
        );
        await assertAllFulfilled(workers, 'worker');
        assert.equal(most, 3, 'exactly the permits were used, never more');
        assert.equal(await sem.value, 3);
      }),
    );

    if (impl.bounded) {
      test(
        'releasing above the initial value throws RuntimeError and changes nothing',
        withSem(3, async (sem) => {
          await assert.rejects(async () => sem.release(), RuntimeError);
          await sem.acquire();
          await assert.rejects(async () => sem.release(2), RuntimeError, 'one of two is too many');
          assert.equal(await sem.value, 2, 'the refused release(2) added nothing');
          await sem.release();
          assert.equal(await sem.value, 3);
          await assert.rejects(async () => sem.release(), RuntimeError);
          assert.equal(await sem.value, 3);
        }),
      );
    } else {
      test(
        'releasing above the initial value adds permits',
        withSem(1, async (sem) => {
          await sem.release();
          assert.equal(await sem.value, 2);
          assert.equal(await sem.acquire({ timeout: 0 }), true);
          assert.equal(await sem.acquire({ timeout: 0 }), true);
          assert.equal(await sem.value, 0);
        }),
      );
    }

    semaphoreAbortContract(fx);
  });
}
