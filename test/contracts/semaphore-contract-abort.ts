// Part of the semaphore contract (semaphore-contract.ts): aborted waiters leave no trace and
// never swallow a permit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  abortListeners,
  assertAllFulfilled,
  assertBlocks,
  Cancelled,
  gate,
  until,
} from '../support/async-helpers.js';
import type { SemaphoreFixtures } from './semaphore-contract.js';

/** Aborted acquires, run inside the describe block of `semaphoreContract`. */
export function semaphoreAbortContract({
  withSem,
  party,
  queueTakers,
  takeAll,
}: SemaphoreFixtures): void {
  describe('abort', () => {
    test(
      'an already-aborted signal rejects with its reason without taking a permit',
      withSem(1, async (sem) => {
        const reason = new Cancelled('before');
        const signal = AbortSignal.abort(reason);
        await assert.rejects(sem.acquire({ signal }), (err) => err === reason);
        assert.equal(await sem.value, 1);
        assert.equal(abortListeners(signal), 0);
      }),
    );

    test(
      'an aborted waiter leaves at once, takes nothing, and the next waiter is served',
      withSem(2, async (sem) => {
        await takeAll(sem);
        const log: string[] = [];
        const controller = new AbortController();
        const aborted = await queueTakers(sem, log, ['aborted'], { signal: controller.signal });
        const rest = await queueTakers(sem, log, ['2', '3']);
        const reason = new Cancelled('while waiting');
        controller.abort(reason);
        await assert.rejects(aborted[0]!.promise, (err) => err === reason);
        assert.equal(abortListeners(controller.signal), 0);
        assert.equal(await sem.value, 0, 'no permit appeared or vanished');
        await sem.release(2);
        await assertAllFulfilled(rest, 'taker');
        assert.deepEqual(log, ['2', '3']);
        assert.equal(await sem.value, 0);
      }),
    );

    test(
      'waiters aborted in the same turn as a release do not swallow the permit',
      withSem(2, async (sem) => {
        await takeAll(sem);
        const log: string[] = [];
        const controllers = [new AbortController(), new AbortController()];
        const takers = [
          ...(await queueTakers(sem, log, ['t1'], { signal: controllers[0]!.signal })),
          ...(await queueTakers(sem, log, ['t2'], { signal: controllers[1]!.signal })),
          ...(await queueTakers(sem, log, ['t3', 't4'])),
        ];
        for (const controller of controllers) controller.abort(new Cancelled('race'));
        await sem.release();
        await until(() => log.length === 1, 'one waiter was served');
        await assertBlocks(takers[3]!, 't4');
        assert.deepEqual(log, ['t3']);
        assert.equal(await sem.value, 0);
        await sem.release();
        await takers[3]!.promise;
        assert.deepEqual(log, ['t3', 't4']);
        for (const aborted of takers.slice(0, 2)) await assert.rejects(aborted.promise, Cancelled);
      }),
    );

    test(
      'an abort after the permit was handed over changes nothing',
      withSem(1, async (sem) => {
        await sem.acquire();
        const log: string[] = [];
        const controller = new AbortController();
        const hold = gate();
        const waiter = party(sem, log, 'waiter', { signal: controller.signal }, hold);
        await assertBlocks(waiter, 'the waiter');
        await sem.release();
        await until(() => log.length === 1, 'the waiter holds the permit');
        controller.abort(new Cancelled('too late'));
        assert.equal(abortListeners(controller.signal), 0);
        assert.equal(await sem.value, 0);
        hold.open();
        assert.equal(await waiter.promise, 'taken');
        assert.equal(await sem.value, 1);
      }),
    );
  });
}
