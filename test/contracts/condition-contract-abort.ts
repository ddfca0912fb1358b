// Part of the condition contract (condition-contract.ts): an aborted wait still returns holding
// the lock, leaves the queue, and never loses a notification.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abortListeners, assertBlocks, Cancelled, tick } from '../support/async-helpers.js';
import type { ConditionFixtures, ConditionImpl } from './condition-contract.js';

/** Aborted waits, run inside the describe block of `conditionContract`. */
export function conditionAbortContract(
  impl: ConditionImpl,
  { withCond, waiters, locked }: ConditionFixtures,
): void {
  describe('abort', () => {
    test(
      'an already-aborted signal rejects with its reason and keeps the lock held',
      withCond(async (cond) => {
        const reason = new Cancelled('before');
        const signal = AbortSignal.abort(reason);
        await cond.acquire();
        await assert.rejects(cond.wait({ signal }), (err) => err === reason);
        assert.equal(await impl.run(() => cond.acquire({ timeout: 0 })), false, 'still held');
        await cond.release();
        assert.equal(abortListeners(signal), 0);
      }),
    );

    test(
      'an aborted wait rejects holding the lock again, leaves the queue, and the next waiter gets notified',
      withCond(async (cond) => {
        const log: string[] = [];
        const controller = new AbortController();
        const [aborted] = await waiters(cond, log, ['aborted'], { signal: controller.signal });
        const [next] = await waiters(cond, log, ['next']);
        assert.equal(abortListeners(controller.signal), 1);
        const reason = new Cancelled('while waiting');
        controller.abort(reason);
        await assert.rejects(aborted!.promise, (err) => err === reason);
        assert.equal(abortListeners(controller.signal), 0);
        await locked(cond, () => cond.notify(1));
        assert.deepEqual(await next!.promise, { result: true, heldAfter: true });
        assert.deepEqual(log, ['next']);
        assert.equal(await cond.locked(), false);
      }),
    );

    test(
      'an aborted wait whose lock is taken rejects only once it has the lock back',
      withCond(async (cond) => {
        const log: string[] = [];
        const controller = new AbortController();
        const [aborted] = await waiters(cond, log, ['aborted'], { signal: controller.signal });
        await cond.acquire();
        controller.abort(new Cancelled('contested'));
        await assertBlocks(aborted!, 'the aborted wait, while the lock is held elsewhere');
        await cond.release();
        await assert.rejects(aborted!.promise, Cancelled);
        assert.equal(await cond.locked(), false, 'it released the lock it got back');
      }),
    );

    test(
      'a waiter aborted in the same turn before a notify does not swallow the notification',
      withCond(async (cond) => {
        const log: string[] = [];
        const controller = new AbortController();
        const [aborted] = await waiters(cond, log, ['aborted'], { signal: controller.signal });
        const [next] = await waiters(cond, log, ['next']);
        await locked(cond, async () => {
          controller.abort(new Cancelled('race'));
          await cond.notify(1);
        });
        await assert.rejects(aborted!.promise, Cancelled);
        assert.deepEqual(await next!.promise, { result: true, heldAfter: true });
      }),
    );

    test(
      'a notification is never lost when its waiter is aborted while taking the lock back',
      withCond(async (cond) => {
        const log: string[] = [];
        const controller = new AbortController();
        const [notified] = await waiters(cond, log, ['notified'], { signal: controller.signal });
        const [other] = await waiters(cond, log, ['other']);
        await locked(cond, async () => {
          await cond.notify(1);
          controller.abort(new Cancelled('late'));
        });
        await Promise.allSettled([notified!.promise]);
        await tick(3);
        // Either the notified waiter keeps its notification (returns true), or it hands it on.
        const kept = notified!.state === 'fulfilled';
        if (kept) {
          assert.deepEqual(notified!.value, { result: true, heldAfter: true });
          await assertBlocks(other!, 'the other waiter: nobody notified it');
          await locked(cond, () => cond.notify(1));
        } else {
          assert.ok(notified!.reason instanceof Cancelled);
        }
        assert.deepEqual(await other!.promise, { result: true, heldAfter: true });
        assert.equal(abortListeners(controller.signal), 0);
      }),
    );
  });
}
