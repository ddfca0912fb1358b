// The behaviours every event flag shares (CPython's lock_tests.EventTests and test_asyncio
// EventTests), run against each implementation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WaitOptions } from '../../src/index.js';
import {
  abortListeners,
  assertAllFulfilled,
  assertBlocks,
  Cancelled,
  inMain,
  type MaybePromise,
  type Runner,
  SHORT_MS,
  TEST_OPTIONS,
  type Tracked,
  track,
  until,
} from '../support/async-helpers.js';

/** What every event offers, whatever scope it lives in. The suite awaits every call. */
export interface EventLike {
  set(): MaybePromise<void>;
  clear(): MaybePromise<void>;
  isSet(): MaybePromise<boolean>;
  wait(opts?: WaitOptions): Promise<boolean>;
}

/** One event implementation the contract runs against. */
export interface EventImpl extends Runner {
  name: string;
  create(): Promise<{ event: EventLike; close(): Promise<void> }>;
}

export function eventContract(impl: EventImpl): void {
  const withEvent = (body: (event: EventLike) => Promise<void>) => async () => {
    const { event, close } = await impl.create();
    try {
      await inMain(impl, () => body(event));
    } finally {
      await close();
    }
  };

  /** Parties that each wait `times` times and collect what their waits resolved to. */
  const waiters = (event: EventLike, n: number, times = 1, opts?: WaitOptions) =>
    Array.from({ length: n }, () =>
      track(
        impl.run(async () => {
          const results: boolean[] = [];
          for (let i = 0; i < times; i++) results.push(await event.wait(opts));
          return results;
        }),
      ),
    );

  const allResults = (parties: Tracked<boolean[]>[]) => parties.flatMap((p) => p.value!);

  describe(`${impl.name}: event contract`, impl.hangGuard ?? TEST_OPTIONS, () => {
    test(
      'isSet follows set and clear, which may be repeated',
      withEvent(async (event) => {
        assert.equal(await event.isSet(), false);
        await event.set();
        assert.equal(await event.isSet(), true);
        await event.set();
        assert.equal(await event.isSet(), true);
        await event.clear();
        assert.equal(await event.isSet(), false);
        await event.clear();
        assert.equal(await event.isSet(), false);
      }),
    );

    test(
      'set wakes every waiter, and a set event lets later waits through at once',
      withEvent(async (event) => {
        for (const round of ['first', 'after a clear']) {
          const parties = waiters(event, 5, 2);
          await assertBlocks(parties[4]!, `the last waiter (${round})`);
          await event.set();
          await assertAllFulfilled(parties, 'waiter');
          assert.deepEqual(allResults(parties), Array(10).fill(true));
          await event.clear();
        }
      }),
    );

    test(
      'wait resolves false when the timeout runs out, and timeout 0 reports the flag',
      withEvent(async (event) => {
        const parties = waiters(event, 5, 1, { timeout: SHORT_MS });
        assert.equal(await event.wait({ timeout: 0 }), false);
        await assertAllFulfilled(parties, 'waiter');
        assert.deepEqual(allResults(parties), Array(5).fill(false));
        await event.set();
        assert.equal(await event.wait({ timeout: 0 }), true);
        assert.equal(await event.wait({ timeout: SHORT_MS }), true);
        const late = waiters(event, 3, 1, { timeout: SHORT_MS });
        await assertAllFulfilled(late, 'waiter');
        assert.deepEqual(allResults(late), Array(3).fill(true));
      }),
    );

    test(
      'waiters woken by a set still see true when the event is cleared before they run',
      withEvent(async (event) => {
        const parties = waiters(event, 5, 1, { timeout: 60_000 });
        await assertBlocks(parties[4]!, 'the last waiter');
        // Both calls are made before either is awaited: the waiters cannot run in between.
        const setting = event.set();
        const clearing = event.clear();
        await Promise.all([setting, clearing]);
        await assertAllFulfilled(parties, 'waiter');
        assert.deepEqual(allResults(parties), Array(5).fill(true));
        assert.equal(await event.isSet(), false);
      }),
    );

    test(
      'clear does not wake waiters; only a later set does',
      withEvent(async (event) => {
        const [waiter] = waiters(event, 1);
        await assertBlocks(waiter!, 'the waiter');
        await event.clear();
        await assertBlocks(waiter!, 'the waiter after a clear');
        await event.set();
        await event.set();
        assert.deepEqual(await waiter!.promise, [true]);
      }),
    );

    test(
      'invalid options reject (never throw), also on a set event',
      withEvent(async (event) => {
        const attempt = event.wait({ timeout: -1 }); // a synchronous throw fails here
        await assert.rejects(attempt, RangeError);
        await event.set();
        await assert.rejects(event.wait({ timeout: -1 }), RangeError);
        await assert.rejects(event.wait({ timeout: Number.NaN }), TypeError);
        await assert.rejects(event.wait({ signal: {} as AbortSignal }), TypeError);
      }),
    );

    describe('abort', () => {
      test(
        'an already-aborted signal rejects with its reason, whether or not the event is set',
        withEvent(async (event) => {
          const reason = new Cancelled('before');
          const signal = AbortSignal.abort(reason);
          await assert.rejects(event.wait({ signal }), (err) => err === reason);
          await event.set();
          await assert.rejects(event.wait({ signal }), (err) => err === reason);
          assert.equal(abortListeners(signal), 0);
        }),
      );

      test(
        'an aborted waiter leaves at once and removes its listener; the others still wake',
        withEvent(async (event) => {
          const controller = new AbortController();
          const [aborted] = waiters(event, 1, 1, { signal: controller.signal });
          const others = waiters(event, 3);
          // A wait may first ask where the event is (a round trip to Redis) before it listens.
          await until(
            () => abortListeners(controller.signal) > 0,
            'the wait listens to its signal',
          );
          await assertBlocks(others[2]!, 'the last waiter');
          assert.equal(abortListeners(controller.signal), 1);
          const reason = new Cancelled('while waiting');
          controller.abort(reason);
          await assert.rejects(aborted!.promise, (err) => err === reason);
          assert.equal(abortListeners(controller.signal), 0);
          await assertBlocks(others[2]!, 'a waiter whose neighbour was aborted');
          await event.set();
          await assertAllFulfilled(others, 'waiter');
          assert.deepEqual(allResults(others), [true, true, true]);
        }),
      );

      test(
        'a wait that was woken keeps its true when its signal aborts afterwards',
        withEvent(async (event) => {
          const controller = new AbortController();
          const [waiter] = waiters(event, 1, 1, { signal: controller.signal });
          await assertBlocks(waiter!, 'the waiter');
          await event.set();
          controller.abort(new Cancelled('too late'));
          assert.deepEqual(await waiter!.promise, [true]);
          assert.equal(abortListeners(controller.signal), 0);
        }),
      );
    });

    test(
      'many parties waiting and setting in turns all see every set',
      withEvent(async (event) => {
        let seen = 0;
        const parties = Array.from({ length: 10 }, () =>
          track(
            impl.run(async () => {
              assert.equal(await event.wait(), true);
              seen++;
            }),
          ),
        );
        await until(() => parties.every((p) => p.state === 'pending'), 'all are waiting');
        await assertBlocks(parties[9]!, 'the last waiter');
        assert.equal(seen, 0);
        await impl.run(async () => event.set());
        await assertAllFulfilled(parties, 'waiter');
        assert.equal(seen, 10);
      }),
    );
  });
}
