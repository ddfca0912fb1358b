// A handle's getNowait while items fetched ahead may be on their way to it: the earliest
// item comes out, not a later one the owner still holds.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import { servedKindOf } from '../src/codec/registry.js';
import { Queue, type QueueHandle } from '../src/index.js';
import '../src/queue/queue-remote.js';
import { LocalLink } from '../src/remote/local-link.js';
import type { ServedKind } from '../src/remote/served-kind.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { TEST_OPTIONS } from './support/async-helpers.js';

after(closeLocalHandles);

for (const to of ['thread', 'process'] as const satisfies Destination[]) {
  describe(`getNowait on a consumer that fetches ahead (${to} handle)`, TEST_OPTIONS, () => {
    test('an item lent on its way comes out before the ones the owner holds', async () => {
      const queue = new Queue<number>();
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        for (let i = 0; i < 200; i++) queue.putNowait(i);
        // A fast loop: the handle fetches ahead, and keeps a batch asked for once it is drained.
        for (let i = 0; i < 200; i++) assert.equal(await handle.get(), i);
        // Whatever is parked at the owner for this handle takes the next put.
        queue.putNowait(200);
        queue.putNowait(201);
        assert.equal(await handle.getNowait(), 200);
        assert.equal(await handle.getNowait(), 201);
        await assert.rejects(handle.getNowait(), { name: 'QueueEmpty' });
        assert.equal(await handle.qsize(), 0);
      } finally {
        await close();
      }
      assert.equal(queue.qsize(), 0, 'nothing lent is left behind');
    });
  });
}

describe('a batch fetched ahead over a link in the owner’s own thread', TEST_OPTIONS, () => {
  test('kept piece by piece: the rest of the batch goes back when given back', async () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 10; i++) queue.putNowait(i);
    const link = new LocalLink(queue, servedKindOf(queue) as ServedKind);
    const batch = await link.waitHeld('lend', [10], new AbortController().signal);
    assert.deepEqual(batch.value, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(queue.qsize(), 10, 'lent items still count');
    link.keep(batch.receipt, 3);
    assert.equal(queue.qsize(), 7, 'three reached the code');
    link.giveBack([batch.receipt]);
    assert.equal(queue.qsize(), 7);
    assert.deepEqual(
      Array.from({ length: 7 }, () => queue.getNowait()),
      [3, 4, 5, 6, 7, 8, 9],
      'the rest came back, in order',
    );
    link.close();
  });
});
