// The handle protocol coalesces what one side sends in a turn of the event loop into one
// message (issue 11, point 1): calls made without awaiting each go to the owner together,
// its answers come back together, and each call still gets its own outcome, in order.
// Frames are counted through the outboxes' internal counter.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import { type LockHandle, Queue, QueueFull, type QueueHandle, RLock } from '../src/index.js';
import { outboxCounts } from '../src/remote/outbox.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { TEST_OPTIONS } from './support/async-helpers.js';

after(closeLocalHandles);

const CALLS = 50;

/** Posts (frames) and messages sent by every outbox while `run` runs. */
async function counted<T>(
  run: () => Promise<T>,
): Promise<{ result: T; posts: number; messages: number }> {
  const before = { ...outboxCounts };
  const result = await run();
  return {
    result,
    posts: outboxCounts.posts - before.posts,
    messages: outboxCounts.messages - before.messages,
  };
}

for (const [label, to] of [
  ['thread handle', 'thread'],
  ['process handle', 'process'],
] as [string, Destination][]) {
  describe(`calls made in one turn share frames (${label})`, TEST_OPTIONS, () => {
    test(`${CALLS} putNowait calls: far fewer frames than calls, every item in order`, async () => {
      const queue = new Queue<number>();
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        await handle.qsize(); // the greeting is out of the way
        const { posts, messages } = await counted(() =>
          Promise.all(Array.from({ length: CALLS }, (_, i) => handle.putNowait(i))),
        );
        // One frame of calls to the owner and one of answers back, where each call was one
        // frame each way: allow for a turn boundary or two on a busy machine.
        assert.ok(posts < CALLS / 5, `${posts} frames for ${CALLS} calls`);
        assert.equal(messages, 2 * CALLS, 'every call and every answer went');
        assert.deepEqual(
          Array.from({ length: CALLS }, () => queue.getNowait()),
          Array.from({ length: CALLS }, (_, i) => i),
        );
      } finally {
        await close();
      }
    });

    test('each call of a batch gets its own outcome: the puts past the bound fail', async () => {
      const queue = new Queue<number>(2);
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        const outcomes = await Promise.allSettled([0, 1, 2, 3].map((i) => handle.putNowait(i)));
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          ['fulfilled', 'fulfilled', 'rejected', 'rejected'],
        );
        for (const outcome of outcomes.slice(2)) {
          assert.ok((outcome as PromiseRejectedResult).reason instanceof QueueFull);
        }
        assert.equal(queue.qsize(), 2);
        assert.equal(queue.getNowait(), 0);
        assert.equal(queue.getNowait(), 1);
      } finally {
        await close();
      }
    });

    test('gets batched with the puts of the same turn receive the items once each', async () => {
      const queue = new Queue<number>();
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        const gets = Array.from({ length: 10 }, () => handle.get());
        const puts = Array.from({ length: 10 }, (_, i) => handle.putNowait(i));
        await Promise.all(puts);
        assert.deepEqual(
          await Promise.all(gets),
          Array.from({ length: 10 }, (_, i) => i),
        );
        assert.equal(queue.qsize(), 0, 'nothing given back: every get was confirmed');
        await handle.qsize(); // carries the last confirmations
        // Disconnecting now gives nothing back: the items were confirmed.
      } finally {
        await close();
      }
      assert.equal(queue.qsize(), 0);
    });

    test('the state the handle shows follows the owner, though answers carry it only when it changed', async () => {
      const queue = new Queue<number>(3);
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        await handle.qsize();
        await handle.qsize();
        assert.equal(handle.maxsize, 3);
        assert.equal(handle.shutDown, false);
        queue.shutdown();
        await handle.qsize();
        assert.equal(handle.shutDown, true, 'the change came with the next answer');
        await handle.qsize();
        assert.equal(handle.shutDown, true, 'and stays when the next answer carries no state');
      } finally {
        await close();
      }
    });

    test('a lock taken and released in one turn goes back and forth in one frame each', async () => {
      // An RLock: its handle asks the owner every time (a Lock is lent instead: lock-loans.test.ts).
      const lock = new RLock();
      const { handle, close } = await localHandle<LockHandle>(lock, to);
      try {
        await handle.locked();
        const { result, posts } = await counted(() =>
          Promise.all([handle.acquire(), handle.release(), handle.acquire(), handle.release()]),
        );
        assert.deepEqual(result, [true, undefined, true, undefined]);
        assert.ok(posts <= 4, `${posts} frames for 4 calls`);
        assert.equal(lock.locked(), false);
      } finally {
        await close();
      }
    });
  });
}
