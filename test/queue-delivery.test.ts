// An item a get takes for a handle is not consumed unless it reaches the handle (issue 10,
// point 3): an answer the owner cannot send (an item that cannot cross) puts the item back
// where it came out and reaches the caller as a TypeError naming it. Getters that die with an
// item on its way: dead-party.test.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import { LifoQueue, PriorityQueue, Queue, type QueueHandle, SimpleQueue } from '../src/index.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { TEST_OPTIONS } from './support/async-helpers.js';

after(closeLocalHandles);

function callback(): void {}
const cannotCross = (error: Error) =>
  error instanceof TypeError && /function callback/.test(error.message);

for (const [label, to] of [
  ['thread handle', 'thread'],
  ['process handle', 'process'],
] as [string, Destination][]) {
  describe(`an item that cannot cross stays in the queue (${label})`, TEST_OPTIONS, () => {
    for (const [name, make] of [
      ['Queue', () => new Queue<unknown>()],
      ['SimpleQueue', () => new SimpleQueue<unknown>()],
    ] as const) {
      test(`${name}: get and getNowait reject with TypeError, and the item stays in front`, async () => {
        const queue = make();
        queue.putNowait(callback);
        queue.putNowait('after it');
        const { handle, close } = await localHandle<QueueHandle<unknown>>(queue, to);
        try {
          await assert.rejects(handle.get(), cannotCross);
          await assert.rejects(handle.getNowait(), cannotCross);
          assert.equal(queue.qsize(), 2, 'nothing consumed');
          assert.equal(queue.getNowait(), callback, 'still in front');
          assert.equal(await handle.get(), 'after it', 'the queue goes on working');
          queue.taskDone();
          queue.taskDone();
          assert.equal(await queue.join({ timeout: 0 }), true, 'each item counted once');
        } finally {
          await close();
        }
      });
    }

    test('LifoQueue: the item goes back on top', async () => {
      const stack = new LifoQueue<unknown>();
      stack.putNowait('below');
      stack.putNowait(callback);
      const { handle, close } = await localHandle<QueueHandle<unknown>>(stack, to);
      try {
        await assert.rejects(handle.get(), cannotCross);
        assert.equal(stack.getNowait(), callback);
        assert.equal(stack.getNowait(), 'below');
      } finally {
        await close();
      }
    });

    test('PriorityQueue: the item goes back ahead of items of equal priority', async () => {
      type Job = { priority: number; run: unknown };
      const jobs = new PriorityQueue<Job>(0, (a, b) => a.priority - b.priority);
      jobs.putNowait({ priority: 2, run: 'later' });
      jobs.putNowait({ priority: 1, run: callback });
      jobs.putNowait({ priority: 1, run: 'equal, put after it' });
      const { handle, close } = await localHandle<QueueHandle<Job>>(jobs, to);
      try {
        await assert.rejects(handle.get(), cannotCross);
        assert.deepEqual(
          [jobs.getNowait().run, jobs.getNowait().run, jobs.getNowait().run],
          [callback, 'equal, put after it', 'later'],
        );
      } finally {
        await close();
      }
    });

    test('a getter waiting when the item is put gets the TypeError; the item waits for the next get', async () => {
      const queue = new Queue<unknown>();
      const { handle, close } = await localHandle<QueueHandle<unknown>>(queue, to);
      try {
        const waiting = handle.get();
        await handle.qsize(); // answered after the get was parked
        queue.putNowait(callback);
        await assert.rejects(waiting, cannotCross);
        assert.equal(queue.qsize(), 1);
        assert.equal(await queue.get(), callback);
      } finally {
        await close();
      }
    });
  });
}
