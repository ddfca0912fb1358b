// The behaviours every barrier shares (CPython's lock_tests.BarrierTests and test_asyncio
// BarrierTests), run against each implementation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokenBarrierError, type WaitOptions } from '../../src/index.js';
import {
  abortListeners,
  assertAllFulfilled,
  assertBlocks,
  Cancelled,
  inMain,
  type MaybePromise,
  type Runner,
  SHORT_MS,
  settleAll,
  sleep,
  TEST_OPTIONS,
  type Tracked,
  track,
  until,
} from '../support/async-helpers.js';

/** What every barrier offers, whatever scope it lives in. The suite awaits every call. */
export interface BarrierLike {
  readonly parties: number;
  readonly nWaiting: MaybePromise<number>;
  readonly broken: MaybePromise<boolean>;
  wait(opts?: WaitOptions): Promise<number>;
  reset(): MaybePromise<void>;
  abort(): MaybePromise<void>;
}

export interface BarrierSetup {
  action?: () => void | Promise<void>;
  timeout?: number;
}

/** One barrier implementation the contract runs against. */
export interface BarrierImpl extends Runner {
  name: string;
  create(
    parties: number,
    setup?: BarrierSetup,
  ): Promise<{ barrier: BarrierLike; close(): Promise<void> }>;
}

const N = 5;

export function barrierContract(impl: BarrierImpl): void {
  const withBarrier =
    (
      parties: number,
      setup: BarrierSetup | undefined,
      body: (barrier: BarrierLike) => Promise<void>,
    ) =>
    async () => {
      const { barrier, close } = await impl.create(parties, setup);
      try {
        await inMain(impl, () => body(barrier));
      } finally {
        await close();
      }
    };

  /** Runs `fn(i)` as `n` separate parties and returns their tracked results. */
  const parties = <T>(n: number, fn: (i: number) => Promise<T>): Tracked<T>[] =>
    Array.from({ length: n }, (_, i) => track(impl.run(() => fn(i))));

  /** What a wait ended with: its index, or the kind of error it rejected with. */
  const outcome = async (wait: Promise<number>): Promise<number | string> => {
    try {
      return await wait;
    } catch (err) {
      return err instanceof BrokenBarrierError ? 'broken' : (err as Error).name;
    }
  };

  describe(`${impl.name}: barrier contract`, TEST_OPTIONS, () => {
    for (const passes of [1, 10]) {
      test(
        `parties pass in lockstep (${passes} generation pairs)`,
        withBarrier(N, undefined, async (barrier) => {
          assert.equal(barrier.parties, N);
          const before: number[] = [];
          const after: number[] = [];
          const lockstep = async (i: number) => {
            for (let pass = 0; pass < passes; pass++) {
              before.push(i);
              assert.equal(after.length, pass * N, 'nobody passed the first wait early');
              await barrier.wait();
              after.push(i);
              assert.equal(before.length, (pass + 1) * N, 'everyone arrived before anyone passed');
              await barrier.wait();
            }
          };
          await assertAllFulfilled(parties(N, lockstep), 'party');
          assert.equal(await barrier.nWaiting, 0);
          assert.equal(await barrier.broken, false);
        }),
      );
    }

    test(
      'wait resolves to the arrival index: 0 for the first, parties - 1 for the last',
      withBarrier(3, undefined, async (barrier) => {
        const waits: Tracked<number>[] = [];
        for (let i = 0; i < 3; i++) {
          waits.push(...parties(1, () => barrier.wait()));
          if (i < 2) await until(async () => (await barrier.nWaiting) === i + 1, `${i + 1} wait`);
        }
        await assertAllFulfilled(waits, 'wait');
        assert.deepEqual(
          waits.map((w) => w.value),
          [0, 1, 2],
        );
        assert.equal(await barrier.nWaiting, 0);
      }),
    );

    test(
      'nWaiting counts the parties of the current generation, and a barrier of 1 never waits',
      withBarrier(3, undefined, async (barrier) => {
        const first = parties(2, () => barrier.wait());
        await until(async () => (await barrier.nWaiting) === 2, 'two wait');
        await assertBlocks(first[1]!, 'a wait of an incomplete generation');
        assert.equal(await barrier.wait(), 2);
        await assertAllFulfilled(first, 'wait');
        assert.equal(await barrier.nWaiting, 0);
        const { barrier: single, close } = await impl.create(1);
        try {
          assert.equal(await single.wait(), 0);
          assert.equal(await single.wait(), 0);
          assert.equal(await single.nWaiting, 0);
        } finally {
          await close();
        }
      }),
    );

    test('the action runs once per generation, after the last arrival and before anyone is released', async () => {
      const runs: number[] = [];
      let arrivals = 0;
      const action = () => {
        assert.equal(arrivals % N, 0, 'the whole generation arrived');
        runs.push(arrivals);
      };
      await withBarrier(N, { action }, async (barrier) => {
        const work = async () => {
          for (let pass = 1; pass <= 3; pass++) {
            arrivals++;
            await barrier.wait();
            assert.equal(runs.length, pass, 'the action ran before this party was released');
          }
        };
        await assertAllFulfilled(parties(N, work), 'party');
      })();
      assert.deepEqual(runs, [N, 2 * N, 3 * N]);
    });

    test('parties arriving while an asynchronous action runs wait for the next generation', async () => {
      let acting = false;
      const action = async () => {
        acting = true;
        await sleep(SHORT_MS);
      };
      await withBarrier(2, { action }, async (barrier) => {
        const first = parties(2, () => barrier.wait());
        await until(() => acting, 'the action runs');
        const early = parties(1, () => barrier.wait());
        await assertAllFulfilled(first, 'first generation');
        await assertBlocks(early[0]!, 'an arrival during the action, alone in its generation');
        const last = await barrier.wait();
        await assertAllFulfilled(early, 'second generation');
        assert.deepEqual([early[0]!.value, last], [0, 1]);
      })();
    });

    test('an action that throws breaks the barrier: the last arrival gets its error, the rest BrokenBarrierError', async () => {
      const failure = new TypeError('action failed');
      await withBarrier(
        3,
        {
          action: () => {
            throw failure;
          },
        },
        async (barrier) => {
          const waits = parties(2, () => outcome(barrier.wait()));
          await until(async () => (await barrier.nWaiting) === 2, 'two wait');
          await assert.rejects(barrier.wait(), failure);
          await assertAllFulfilled(waits, 'wait');
          assert.deepEqual(
            waits.map((w) => w.value),
            ['broken', 'broken'],
          );
          assert.equal(await barrier.broken, true);
          await assert.rejects(barrier.wait(), BrokenBarrierError);
        },
      )();
    });

    test(
      'abort breaks the barrier for the waiting parties and for later waits',
      withBarrier(N, undefined, async (barrier) => {
        const results = parties(N, async () => {
          const index = await barrier.wait();
          if (index === Math.floor(N / 2)) {
            await barrier.abort();
            return 'aborted';
          }
          return outcome(barrier.wait());
        });
        await assertAllFulfilled(results, 'party');
        assert.deepEqual(results.map((r) => r.value).toSorted(), [
          'aborted',
          ...Array(N - 1).fill('broken'),
        ]);
        assert.equal(await barrier.broken, true);
        assert.equal(await barrier.nWaiting, 0);
        await assert.rejects(barrier.wait(), BrokenBarrierError);
      }),
    );

    test(
      'reset frees the waiting parties with BrokenBarrierError and leaves the barrier usable',
      withBarrier(N, undefined, async (barrier) => {
        let resets = 0;
        const results = parties(N, async () => {
          const index = await barrier.wait();
          let second: number | string = 'reset it';
          if (index === Math.floor(N / 2)) {
            await until(async () => (await barrier.nWaiting) === N - 1, 'the others wait again');
            await barrier.reset();
            resets++;
          } else {
            second = await outcome(barrier.wait());
          }
          await barrier.wait();
          return second;
        });
        await assertAllFulfilled(results, 'party');
        assert.equal(resets, 1);
        assert.deepEqual(results.map((r) => r.value).toSorted(), [
          ...Array(N - 1).fill('broken'),
          'reset it',
        ]);
        assert.equal(await barrier.broken, false);
        assert.equal(await barrier.nWaiting, 0);
      }),
    );

    test(
      'a broken barrier can be reset and used again',
      withBarrier(N, undefined, async (barrier) => {
        const { barrier: meeting, close } = await impl.create(N);
        try {
          const results = parties(N, async () => {
            let first: number | string = 'aborted';
            if ((await barrier.wait()) === Math.floor(N / 2)) await barrier.abort();
            else first = await outcome(barrier.wait());
            // Meet elsewhere before and after the reset, so nobody is inside the barrier during it.
            if ((await meeting.wait()) === Math.floor(N / 2)) await barrier.reset();
            await meeting.wait();
            await barrier.wait();
            return first;
          });
          await assertAllFulfilled(results, 'party');
          assert.deepEqual(results.map((r) => r.value).toSorted(), [
            'aborted',
            ...Array(N - 1).fill('broken'),
          ]);
          assert.equal(await barrier.broken, false);
        } finally {
          await close();
        }
      }),
    );

    test(
      'a wait that times out breaks the barrier for everyone',
      withBarrier(3, { timeout: 60_000 }, async (barrier) => {
        const others = parties(1, () => outcome(barrier.wait()));
        await until(async () => (await barrier.nWaiting) === 1, 'one waits');
        await assert.rejects(barrier.wait({ timeout: SHORT_MS }), BrokenBarrierError);
        assert.deepEqual(await others[0]!.promise, 'broken');
        assert.equal(await barrier.broken, true);
        await assert.rejects(barrier.wait(), BrokenBarrierError);
        await barrier.reset();
        assert.equal(await barrier.broken, false);
      }),
    );

    test(
      'the default timeout applies to waits that give none',
      withBarrier(3, { timeout: SHORT_MS }, async (barrier) => {
        const waits = parties(2, () => outcome(barrier.wait()));
        await assertAllFulfilled(waits, 'wait');
        assert.deepEqual(
          waits.map((w) => w.value),
          ['broken', 'broken'],
        );
        assert.equal(await barrier.broken, true);
      }),
    );

    test(
      'invalid options reject (never throw) and do not count as an arrival',
      withBarrier(2, undefined, async (barrier) => {
        const attempt = barrier.wait({ timeout: -1 }); // a synchronous throw fails here
        await assert.rejects(attempt, RangeError);
        await assert.rejects(barrier.wait({ signal: {} as AbortSignal }), TypeError);
        assert.equal(await barrier.nWaiting, 0);
        assert.equal(await barrier.broken, false);
      }),
    );

    describe('abort by signal', () => {
      test(
        'an aborted wait just leaves: nWaiting drops, the barrier stays whole, a new party completes it',
        withBarrier(3, undefined, async (barrier) => {
          const controller = new AbortController();
          const [aborted] = parties(1, () => barrier.wait({ signal: controller.signal }));
          const stayed = parties(1, () => barrier.wait());
          await until(async () => (await barrier.nWaiting) === 2, 'two wait');
          const reason = new Cancelled('leaving');
          controller.abort(reason);
          await assert.rejects(aborted!.promise, (err) => err === reason);
          assert.equal(abortListeners(controller.signal), 0);
          assert.equal(await barrier.nWaiting, 1);
          assert.equal(await barrier.broken, false);
          const third = parties(1, () => barrier.wait());
          await until(async () => (await barrier.nWaiting) === 2, 'a new party joined');
          await assertBlocks(stayed[0]!, 'a generation that lost a party');
          assert.equal(await barrier.wait(), 2);
          await assertAllFulfilled([...stayed, ...third], 'wait');
        }),
      );

      test(
        'an already-aborted signal rejects without counting as an arrival, even as the last party',
        withBarrier(2, undefined, async (barrier) => {
          const reason = new Cancelled('before');
          const signal = AbortSignal.abort(reason);
          await assert.rejects(barrier.wait({ signal }), (err) => err === reason);
          const [waiting] = parties(1, () => barrier.wait());
          await until(async () => (await barrier.nWaiting) === 1, 'one waits');
          await assert.rejects(barrier.wait({ signal }), (err) => err === reason);
          await assertBlocks(waiting!, 'the waiting party: the aborted call did not complete it');
          assert.equal(await barrier.nWaiting, 1);
          assert.equal(await barrier.wait(), 1);
          await waiting!.promise;
        }),
      );
    });

    test(
      'each party can pass the barrier twice in a row, with indices 0..parties-1 each time',
      withBarrier(N, undefined, async (barrier) => {
        const results = parties(N, async () => [await barrier.wait(), await barrier.wait()]);
        await settleAll(results);
        await assertAllFulfilled(results, 'party');
        const [firsts, seconds] = [0, 1].map((k) => results.map((r) => r.value![k]!).toSorted());
        assert.deepEqual(firsts, [0, 1, 2, 3, 4]);
        assert.deepEqual(seconds, [0, 1, 2, 3, 4]);
      }),
    );
  });
}
