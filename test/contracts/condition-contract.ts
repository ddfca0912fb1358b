// The behaviours every condition variable shares (CPython's lock_tests.ConditionTests and
// test_asyncio ConditionTests), run against each implementation and each kind of lock under it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuntimeError, type WaitOptions } from '../../src/index.js';
import {
  assertAllFulfilled,
  assertBlocks,
  inMain,
  type MaybePromise,
  type Runner,
  SHORT_MS,
  TEST_OPTIONS,
  type Tracked,
  tick,
  track,
  until,
} from '../support/async-helpers.js';
import { conditionAbortContract } from './condition-contract-abort.js';

/** What every condition variable offers, whatever scope it lives in. The suite awaits every call. */
export interface ConditionLike {
  acquire(opts?: WaitOptions): Promise<boolean>;
  release(): MaybePromise<void>;
  locked(): MaybePromise<boolean>;
  guard(opts?: WaitOptions): Promise<Disposable>;
  wait(opts?: WaitOptions): Promise<boolean>;
  waitFor<R>(predicate: () => R, opts?: WaitOptions): Promise<R>;
  notify(n?: number): MaybePromise<void>;
  notifyAll(): MaybePromise<void>;
}

/** One condition implementation (and lock kind under it) the contract runs against. */
export interface ConditionImpl extends Runner {
  name: string;
  create(): Promise<{ cond: ConditionLike; close(): Promise<void> }>;
}

/** What a waiting party saw: its wait's result, and whether it held the lock when the wait settled. */
interface Outcome {
  result: boolean;
  heldAfter: boolean;
}

/** The shared fixtures of the conditionContract parts: each test builds its own primitive from them. */
export function conditionFixtures(impl: ConditionImpl) {
  const withCond = (body: (cond: ConditionLike) => Promise<void>) => async () => {
    const { cond, close } = await impl.create();
    try {
      await inMain(impl, () => body(cond));
    } finally {
      await close();
    }
  };

  /** Counts parties that have called wait (the lock is released inside that very call). */
  const counter = { waiting: 0 };

  /**
   * A party that takes the lock, waits once, logs `tag`, and releases. Its release would throw if
   * the wait had come back without the lock, so a fulfilled or aborted party proves it held it.
   */
  const waiter = (
    cond: ConditionLike,
    log: string[],
    tag: string,
    opts?: WaitOptions,
  ): Tracked<Outcome> =>
    track(
      impl.run(async () => {
        await cond.acquire();
        try {
          counter.waiting++;
          const result = await cond.wait(opts);
          log.push(tag);
          return { result, heldAfter: await cond.locked() };
        } finally {
          await cond.release();
        }
      }),
    );

  /** Starts `tags.length` waiters and returns once all of them are inside `wait`. */
  const waiters = async (
    cond: ConditionLike,
    log: string[],
    tags: string[],
    opts?: WaitOptions,
  ) => {
    const start = counter.waiting;
    const parties: Tracked<Outcome>[] = [];
    for (const tag of tags) {
      parties.push(waiter(cond, log, tag, opts));
      await until(() => counter.waiting === start + parties.length, `waiter ${tag} waits`);
    }
    return parties;
  };

  /** Takes the lock, runs `fn` holding it, and releases. */
  const locked = async (cond: ConditionLike, fn: () => MaybePromise<void>) => {
    await cond.acquire();
    try {
      await fn();
    } finally {
      await cond.release();
    }
  };

  return { withCond, waiter, waiters, locked, counter };
}

export type ConditionFixtures = ReturnType<typeof conditionFixtures>;

export function conditionContract(impl: ConditionImpl): void {
  const fx = conditionFixtures(impl);
  const { withCond, waiter, waiters, locked, counter } = fx;

  describe(`${impl.name}: condition contract`, TEST_OPTIONS, () => {
    test(
      'acquire, release, locked and guard act on the underlying lock',
      withCond(async (cond) => {
        assert.equal(await cond.locked(), false);
        assert.equal(await cond.acquire(), true);
        assert.equal(await cond.locked(), true);
        assert.equal(await impl.run(() => cond.acquire({ timeout: 0 })), false);
        await cond.release();
        assert.equal(await cond.locked(), false);
        {
          using _held = await cond.guard();
          assert.equal(await cond.locked(), true);
        }
        assert.equal(await cond.locked(), false);
      }),
    );

    test(
      'wait without the lock rejects with RuntimeError; notify and notifyAll throw it',
      withCond(async (cond) => {
        const attempt = cond.wait(); // a synchronous throw fails here
        await assert.rejects(attempt, RuntimeError);
        await assert.rejects(async () => cond.notify(), RuntimeError);
        await assert.rejects(async () => cond.notifyAll(), RuntimeError);
        await assert.rejects(
          cond.waitFor(() => false),
          RuntimeError,
        );
        assert.equal(await cond.locked(), false);
      }),
    );

    test(
      'waitFor returns a truthy predicate value at once, even without the lock',
      withCond(async (cond) => {
        const value = [1, 2, 3];
        assert.equal(await cond.waitFor(() => value), value);
      }),
    );

    test(
      'wait releases the lock while waiting, and a notified waiter returns only once it has it back',
      withCond(async (cond) => {
        const log: string[] = [];
        const parties = await waiters(cond, log, ['1', '2', '3']);
        assert.equal(await cond.locked(), false, 'every waiter released the lock');
        await cond.acquire();
        await cond.notify();
        await assertBlocks(parties[0]!, 'a notified waiter while the notifier holds the lock');
        assert.deepEqual(log, []);
        await cond.release();
        await until(() => log.length === 1, 'the notified waiter ran');
        await cond.acquire();
        await cond.notify(2);
        await assertBlocks(parties[1]!, 'the second waiter');
        await cond.release();
        await assertAllFulfilled(parties, 'waiter');
        assert.deepEqual(log, ['1', '2', '3']);
        for (const party of parties)
          assert.deepEqual(party.value, { result: true, heldAfter: true });
        assert.equal(await cond.locked(), false);
      }),
    );

    test(
      'notify(n) wakes n waiters in FIFO order, more than are waiting wakes all, notify(0) none',
      withCond(async (cond) => {
        const log: string[] = [];
        const parties = await waiters(cond, log, ['1', '2', '3']);
        await locked(cond, () => cond.notify(0));
        await assertBlocks(parties[0]!, 'the first waiter after notify(0)');
        await locked(cond, () => cond.notify(1));
        await until(() => log.length === 1, 'one waiter ran');
        await assertBlocks(parties[1]!, 'the second waiter');
        assert.deepEqual(log, ['1']);
        await locked(cond, async () => {
          await cond.notify(1);
          await cond.notify(2048);
        });
        await assertAllFulfilled(parties, 'waiter');
        assert.deepEqual(log, ['1', '2', '3']);
      }),
    );

    test(
      'notify refuses a count that is not an integer >= 0',
      withCond(async (cond) => {
        await locked(cond, async () => {
          for (const n of [-1, 1.5, Number.NaN]) {
            await assert.rejects(async () => cond.notify(n), RangeError, `notify(${n})`);
          }
        });
      }),
    );

    test(
      'notifyAll wakes every waiter',
      withCond(async (cond) => {
        const log: string[] = [];
        const parties = await waiters(cond, log, ['1', '2', '3', '4']);
        await locked(cond, () => cond.notifyAll());
        await assertAllFulfilled(parties, 'waiter');
        assert.deepEqual(log, ['1', '2', '3', '4']);
      }),
    );

    test(
      'waiters woken in phases see the phase of the notify that woke them, twice over',
      withCond(async (cond) => {
        for (let round = 0; round < 2; round++) {
          let phase = 0;
          const first: [boolean, number][] = [];
          const second: [boolean, number][] = [];
          const start = counter.waiting;
          const waitOnce = async (into: [boolean, number][]) => {
            await cond.acquire();
            counter.waiting++;
            const result = await cond.wait();
            await cond.release();
            into.push([result, phase]);
          };
          const workers = Array.from({ length: 5 }, () =>
            track(
              impl.run(async () => {
                await waitOnce(first);
                await waitOnce(second);
              }),
            ),
          );
          await until(() => counter.waiting === start + 5, 'five workers wait');
          await locked(cond, async () => {
            await cond.notify(3);
            await tick(3);
            phase = 1;
          });
          await until(() => counter.waiting === start + 8, 'three workers wait a second time');
          assert.deepEqual(first, Array(3).fill([true, 1]));
          assert.deepEqual(second, []);
          await locked(cond, async () => {
            await cond.notify(5);
            await tick(3);
            phase = 2;
          });
          await until(
            () => counter.waiting === start + 10 && second.length === 3,
            'the rest settle',
          );
          assert.deepEqual(first, [...Array(3).fill([true, 1]), ...Array(2).fill([true, 2])]);
          assert.deepEqual(second, Array(3).fill([true, 2]));
          await locked(cond, async () => {
            await cond.notifyAll();
            await tick(3);
            phase = 3;
          });
          await assertAllFulfilled(workers, 'worker');
          assert.deepEqual(second, [...Array(3).fill([true, 2]), ...Array(2).fill([true, 3])]);
        }
      }),
    );

    test(
      'wait resolves false on timeout holding the lock again, and timeout 0 does not wait',
      withCond(async (cond) => {
        const log: string[] = [];
        const parties = Array.from({ length: 4 }, (_, i) =>
          waiter(cond, log, `${i}`, { timeout: SHORT_MS }),
        );
        await assertAllFulfilled(parties, 'waiter');
        for (const party of parties)
          assert.deepEqual(party.value, { result: false, heldAfter: true });
        await locked(cond, async () => {
          assert.equal(await cond.wait({ timeout: 0 }), false);
          assert.equal(await cond.locked(), true);
        });
        assert.equal(await cond.locked(), false);
      }),
    );

    test(
      'a waiter that timed out does not take a later notification',
      withCond(async (cond) => {
        const log: string[] = [];
        const [timed] = await waiters(cond, log, ['timed'], { timeout: SHORT_MS });
        const [patient] = await waiters(cond, log, ['patient']);
        assert.deepEqual((await timed!.promise).result, false);
        await locked(cond, () => cond.notify(1));
        assert.deepEqual(await patient!.promise, { result: true, heldAfter: true });
      }),
    );

    test(
      'waitFor re-checks after each notification and returns the predicate value',
      withCond(async (cond) => {
        let state = 0;
        const party = track(
          impl.run(async () => {
            using _held = await cond.guard();
            const value = await cond.waitFor(() => state === 4 && 'reached');
            return { value, state, held: await cond.locked() };
          }),
        );
        for (let i = 0; i < 4; i++) {
          await assertBlocks(party, `the waitFor at state ${state}`, 1);
          await locked(cond, async () => {
            state++;
            await cond.notify();
          });
        }
        assert.deepEqual(await party.promise, { value: 'reached', state: 4, held: true });
      }),
    );

    test(
      'waitFor with a timeout returns the last falsy predicate value, holding the lock',
      withCond(async (cond) => {
        let state = 0;
        const party = track(
          impl.run(async () => {
            using _held = await cond.guard();
            const value = await cond.waitFor(() => (state >= 4 ? 'reached' : 0), {
              timeout: 3 * SHORT_MS,
            });
            return { value, held: await cond.locked() };
          }),
        );
        for (let i = 0; i < 3; i++) {
          await locked(cond, async () => {
            state++;
            await cond.notify();
          });
          await tick();
        }
        assert.deepEqual(await party.promise, { value: 0, held: true });
      }),
    );

    test(
      'invalid options reject without releasing the lock',
      withCond(async (cond) => {
        await cond.acquire();
        const attempt = cond.wait({ timeout: -1 }); // a synchronous throw fails here
        await assert.rejects(attempt, RangeError);
        await assert.rejects(cond.wait({ signal: {} as AbortSignal }), TypeError);
        await assert.rejects(
          cond.waitFor(() => false, { timeout: -1 }),
          RangeError,
        );
        assert.equal(await impl.run(() => cond.acquire({ timeout: 0 })), false, 'still held');
        await cond.release();
      }),
    );

    test(
      'producers and consumers hand over every item exactly once',
      withCond(async (cond) => {
        const items: number[] = [];
        const consumed: number[] = [];
        const consumers = Array.from({ length: 4 }, () =>
          track(
            impl.run(async () => {
              for (let i = 0; i < 25; i++) {
                using _held = await cond.guard();
                await cond.waitFor(() => items.length > 0);
                consumed.push(items.shift()!);
              }
            }),
          ),
        );
        const producers = Array.from({ length: 4 }, (_, p) =>
          track(
            impl.run(async () => {
              for (let i = 0; i < 25; i++) {
                await locked(cond, async () => {
                  items.push(p * 100 + i);
                  await cond.notify();
                });
                if (i % 5 === 0) await tick();
              }
            }),
          ),
        );
        await assertAllFulfilled([...producers, ...consumers], 'party');
        assert.deepEqual(
          consumed.toSorted((a, b) => a - b),
          [0, 100, 200, 300].flatMap((base) => Array.from({ length: 25 }, (_, i) => base + i)),
        );
        assert.deepEqual(items, []);
      }),
    );

    conditionAbortContract(impl, fx);
  });
}
