// A get of a consumer's handle that gives up (its timeout, its signal) while another get of
// the same handle still waits: the plain get the handle had parked at the owner for it is
// withdrawn, so no item is handed to a get nobody waits for. Found by the property of
// property-prefetch.test.ts (seed 802282): an item given back by one consumer went to such a
// get of another consumer whose handle was letting go, and was out of the queue, counted
// nowhere, until the owner heard of the disconnection.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import { servedKindOf } from '../src/codec/registry.js';
import { Queue, QueueEmpty, type QueueHandle } from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import '../src/queue/queue-remote.js';
import { LocalLink } from '../src/remote/local-link.js';
import type { ServedKind } from '../src/remote/served-kind.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { track } from './support/async-helpers.js';

after(closeLocalHandles);

/** A hang guard per suite: the waits below are round trips and events, not timings. */
const SUITE = { timeout: 20_000 } as const;

/**
 * Gets that give up: by a signal, once the owner is seen to hold both gets; by a timeout,
 * whenever it runs out (perhaps before the owner has seen the get at all).
 */
const givingUp = {
  signal: () => {
    const controller = new AbortController();
    const reason = new Error('given up');
    return {
      opts: { signal: controller.signal },
      seenParked: true,
      giveUp: () => controller.abort(reason),
      reason,
    };
  },
  timeout: () => ({
    opts: { timeout: 1 },
    seenParked: false,
    giveUp: () => {},
    reason: QueueEmpty,
  }),
};

for (const to of ['thread', 'process'] as const satisfies Destination[]) {
  describe(`a consumer's get that gives up (${to} handle)`, SUITE, () => {
    for (const [how, make] of Object.entries(givingUp)) {
      test(`by its ${how}, with another get waiting: nothing stays parked for it`, async () => {
        const queue = new Queue<number>();
        const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
        try {
          // A consumer slow to ask: one plain get parked at the owner per get that waits.
          const first = handle.get();
          const { opts, seenParked, giveUp, reason } = make();
          const second = handle.get(opts);
          if (seenParked) {
            await handle.qsize(); // a round trip: the owner has served both gets' calls
            assert.equal(queue[GETTERS].length, 2, 'both gets are parked at the owner');
          }
          giveUp();
          await assert.rejects(second, reason);
          // A round trip after the give-up: whatever it withdrew was withdrawn before this answer.
          await handle.qsize();
          assert.equal(queue[GETTERS].length, 1, 'only the get still waiting is parked');

          queue.putNowait(1);
          queue.putNowait(2);
          assert.equal(await first, 1);
          // The second item is the queue's, not on its way to a get that gave up.
          assert.equal(queue.qsize(), 1);
          // The consumer lets go now (the property's interleaving): nothing is in flight to it.
          await close();
          assert.equal(queue.getNowait(), 2);
          assert.equal(queue[GETTERS].length, 0);
        } finally {
          await close();
        }
      });
    }

    test('the get left waiting still gets the next item, once', async () => {
      const queue = new Queue<number>();
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        const gets = [handle.get(), handle.get(), handle.get()];
        const controller = new AbortController();
        const given = handle.get({ signal: controller.signal });
        await handle.qsize();
        assert.equal(queue[GETTERS].length, 4, 'the four gets are parked at the owner');
        controller.abort(new Error('given up'));
        await assert.rejects(given, /given up/);
        await handle.qsize();
        assert.equal(queue[GETTERS].length, 3, 'one plain get per get still waiting');
        for (const n of [10, 11, 12, 13]) queue.putNowait(n);
        assert.deepEqual(await Promise.all(gets), [10, 11, 12], 'in the order they were made');
        assert.equal(queue.qsize(), 1);
        assert.equal(queue.getNowait(), 13);
      } finally {
        await close();
      }
    });
  });
}

// Found by the same property (seed 499258): an item lent and given back that goes straight
// to a getter waiting leaves the queue, and the room it held is a putter's.
describe('a lent item given back to a getter waiting', SUITE, () => {
  test('frees its room in a bounded queue: a put waiting gets in', async () => {
    const queue = new Queue<number>(1);
    queue.putNowait(1);
    const link = new LocalLink(queue, servedKindOf(queue) as ServedKind);
    try {
      const batch = await link.waitHeld('lend', [1], new AbortController().signal);
      assert.deepEqual(batch.value, [1]);
      assert.ok(queue.full(), 'the lent item still holds its room');
      const put = track(queue.put(2));
      const got = queue.get();
      link.giveBack([batch.receipt]);
      assert.equal(queue.qsize(), 1, 'the put waiting got in');
      assert.equal(await got, 1, 'the item came back to the getter waiting');
      await put.promise;
      assert.equal(queue.getNowait(), 2);
    } finally {
      link.close();
    }
  });
});
