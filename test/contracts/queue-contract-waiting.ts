// Queue contract, part 2: callers that wait — FIFO service, and aborts/timeouts that leave no trace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueEmpty, QueueFull, QueueShutDown } from '../../src/index.js';
import {
  abortListeners,
  assertBlocks,
  BLOCK_MS,
  Cancelled,
  drain,
  expectedOrder,
  guardOf,
  type QueueImpl,
  SHORT_TIMEOUT_MS,
  settleAll,
  sleep,
  type Tracked,
  track,
  withQueue,
} from './queue-contract-support.js';

/** What a tracked get ended with: the item, or `undefined` when it was rejected by `reason`. */
function itemOrAbort<T>(getter: Tracked<T>, reason: unknown): T | undefined {
  if (getter.state === 'fulfilled') return getter.value;
  assert.equal(getter.reason, reason, 'a get may only fail with the abort reason');
  return undefined;
}

export function waitingContract(impl: QueueImpl): void {
  // Each test's guard against a hang, as the implementation needs it.
  const TEST_OPTIONS = guardOf(impl);
  describe('waiting getters', () => {
    it('a blocked get is woken by a put and receives that item', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        const getter = track(queue.get());
        await assertBlocks(getter, 'a get from an empty queue');
        await queue.put('a');
        assert.equal(await getter.promise, 'a');
        assert.equal(await queue.qsize(), 0);
      });
    });

    it('waiting getters are served in the order they started waiting', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, undefined, async (queue) => {
        const getters = [track(queue.get()), track(queue.get()), track(queue.get())];
        await assertBlocks(getters[2]!, 'the third get');
        // Descending items: a priority or LIFO queue must still hand them straight to the waiters.
        for (const item of [30, 20, 10]) await queue.put(item);
        assert.deepEqual(await Promise.all(getters.map((g) => g.promise)), [30, 20, 10]);
      });
    });

    it('an item put while a getter waits goes to it, not to a newcomer', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        const getter = track(queue.get());
        await assertBlocks(getter, 'a get from an empty queue');
        await queue.putNowait('a');
        await assert.rejects(async () => queue.getNowait(), QueueEmpty);
        assert.equal(await getter.promise, 'a');
      });
    });

    it(
      'a getter aborted before any put takes nothing and removes its listener',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const controller = new AbortController();
          const getter = track(queue.get({ signal: controller.signal }));
          await assertBlocks(getter, 'a get with a signal');
          assert.equal(abortListeners(controller.signal), 1);
          const reason = new Cancelled();
          controller.abort(reason);
          await assert.rejects(getter.promise, (err) => err === reason);
          assert.equal(abortListeners(controller.signal), 0);
          await queue.put('a');
          assert.equal(await queue.qsize(), 1, 'the aborted getter must not consume the item');
          assert.equal(await queue.getNowait(), 'a');
        });
      },
    );

    it(
      'aborting the first of two waiting getters hands the next item to the second',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const controller = new AbortController();
          const first = track(queue.get({ signal: controller.signal }));
          const second = track(queue.get());
          await assertBlocks(second, 'the second get');
          controller.abort(new Cancelled());
          await assert.rejects(first.promise, Cancelled);
          await queue.put('a');
          assert.equal(await second.promise, 'a');
          assert.equal(await queue.qsize(), 0);
        });
      },
    );

    it('aborting a getter right after items arrived loses no item', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, undefined, async (queue) => {
        const controller = new AbortController();
        const reader = track(queue.get({ signal: controller.signal }));
        await assertBlocks(reader, 'a get from an empty queue');
        await queue.putNowait(1);
        await queue.putNowait(2);
        const reason = new Cancelled();
        controller.abort(reason);
        await settleAll([reader]);
        const first = itemOrAbort(reader, reason) ?? (await queue.get());
        assert.equal(first, 1, 'item 1 must not be dropped');
        assert.deepEqual(await drain(queue), [2]);
      });
    });

    it(
      'aborting one of several getters right after items arrived loses and duplicates nothing',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          const controller = new AbortController();
          const readers = [
            track(queue.get({ signal: controller.signal })),
            track(queue.get()),
            track(queue.get()),
          ];
          await assertBlocks(readers[2]!, 'the third get');
          await queue.putNowait(1);
          await queue.putNowait(2);
          const reason = new Cancelled();
          controller.abort(reason);
          await sleep(BLOCK_MS);
          // Release whichever reader is still waiting, then account for every item.
          await queue.shutdown();
          await settleAll(readers);
          const received: number[] = [];
          for (const reader of readers) {
            if (reader.state === 'fulfilled') received.push(reader.value!);
            else if (reader !== readers[0]) assert.ok(reader.reason instanceof QueueShutDown);
            else assert.equal(reader.reason, reason);
          }
          received.push(...(await drain(queue)));
          assert.deepEqual(
            received.sort((a, b) => a - b),
            [1, 2],
          );
        });
      },
    );

    it(
      'a get with an already aborted signal rejects at once and takes nothing',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const reason = new Cancelled();
          const signal = AbortSignal.abort(reason);
          await assert.rejects(queue.get({ signal }), (err) => err === reason);
          await queue.put('a');
          assert.equal(await queue.qsize(), 1, 'no getter may have been parked');
          await assert.rejects(queue.get({ signal }), (err) => err === reason);
          assert.equal(await queue.qsize(), 1, 'the refused get must not take the item');
          assert.equal(abortListeners(signal), 0);
        });
      },
    );

    it('a get that times out or succeeds removes its abort listener', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        const controller = new AbortController();
        const { signal } = controller;
        await assert.rejects(queue.get({ signal, timeout: SHORT_TIMEOUT_MS }), QueueEmpty);
        assert.equal(abortListeners(signal), 0);
        const getter = track(queue.get({ signal }));
        await assertBlocks(getter, 'a get with a signal');
        await queue.put('a');
        assert.equal(await getter.promise, 'a');
        assert.equal(abortListeners(signal), 0);
        // Aborting after the get succeeded changes nothing.
        controller.abort(new Cancelled());
        await queue.put('b');
        assert.equal(await queue.qsize(), 1);
      });
    });
  });

  if (!impl.bounded) return;

  describe('waiting putters', () => {
    it('a blocked put is released by a get and its item is stored', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, 1, async (queue) => {
        await queue.put(1);
        const putter = track(queue.put(2));
        await assertBlocks(putter, 'a put into a full queue');
        assert.equal(await queue.get(), 1);
        await putter.promise;
        assert.deepEqual(await drain(queue), [2]);
      });
    });

    it(
      'a producer stops at maxsize and goes on when a consumer makes room',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 2, async (queue) => {
          const put: number[] = [];
          const producer = (async () => {
            for (let i = 0; i < 3; i++) {
              await queue.put(i);
              put.push(i);
            }
          })();
          const tracked = track(producer);
          await assertBlocks(tracked, 'the producer');
          // Over a handle each put is a round trip: wait for the two that fit, however slow
          // the machine (the test's timeout ends a producer that never gets there).
          while (put.length < 2) await sleep(1);
          assert.deepEqual(put, [0, 1]);
          assert.equal(tracked.state, 'pending', 'the producer waits at its third put');
          const first = await queue.get();
          assert.equal(first, expectedOrder(impl.order, [0, 1])[0]);
          await producer;
          assert.deepEqual(put, [0, 1, 2]);
          const left = [0, 1, 2].filter((item) => item !== first);
          assert.deepEqual(await drain(queue), expectedOrder(impl.order, left));
        });
      },
    );

    it('waiting putters are admitted in the order they started waiting', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, 1, async (queue) => {
        await queue.put(0);
        // Descending items, so that a priority queue would reorder them if it could.
        const putters = [track(queue.put(30)), track(queue.put(20)), track(queue.put(10))];
        await assertBlocks(putters[2]!, 'the third put');
        const taken: number[] = [];
        for (let i = 0; i < 4; i++) taken.push(await queue.get());
        await Promise.all(putters.map((p) => p.promise));
        assert.deepEqual(taken, [0, 30, 20, 10]);
      });
    });

    it(
      'room made by a get goes to the waiting putter, not to a newcomer',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, 1, async (queue) => {
          await queue.put('a');
          const waiting = track(queue.put('b'));
          await assertBlocks(waiting, 'a put into a full queue');
          assert.equal(await queue.getNowait(), 'a');
          await assert.rejects(async () => queue.putNowait('c'), QueueFull);
          await waiting.promise;
          assert.deepEqual(await drain(queue), ['b']);
        });
      },
    );

    it('room made by getNowait admits waiting putters', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, 2, async (queue) => {
        const putters = [0, 1, 2, 3].map((i) => track(queue.put(i)));
        await Promise.all([putters[0]!.promise, putters[1]!.promise]); // room for two
        await assertBlocks(putters[3]!, 'the fourth put');
        const first = [await queue.getNowait(), await queue.getNowait()];
        await Promise.all(putters.map((p) => p.promise));
        const rest = await drain(queue);
        assert.deepEqual(
          [...first, ...rest].sort((a, b) => a - b),
          [0, 1, 2, 3],
        );
      });
    });

    it('gets with putters waiting return every item in put order', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, 1, async (queue) => {
        const putters = [track(queue.put('a')), track(queue.put('b'))];
        assert.equal(await queue.get(), 'a');
        assert.equal(await queue.get(), 'b');
        await Promise.all(putters.map((p) => p.promise));
        assert.equal(await queue.qsize(), 0);
      });
    });

    it(
      'a putter aborted while waiting stores nothing and removes its listener',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 1, async (queue) => {
          await queue.put(1);
          const controller = new AbortController();
          const putter = track(queue.put(2, { signal: controller.signal }));
          await assertBlocks(putter, 'a put into a full queue');
          assert.equal(abortListeners(controller.signal), 1);
          const reason = new Cancelled();
          controller.abort(reason);
          await assert.rejects(putter.promise, (err) => err === reason);
          assert.equal(abortListeners(controller.signal), 0);
          assert.equal(await queue.get(), 1);
          assert.equal(await queue.qsize(), 0, 'the aborted item must never be stored');
          await queue.putNowait(3);
          assert.deepEqual(await drain(queue), [3]);
        });
      },
    );

    it(
      'aborting one of several waiting putters lets the others through in order',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, 1, async (queue) => {
          const controller = new AbortController();
          const putA = track(queue.put('a'));
          const putB = track(queue.put('b'));
          const putX = track(queue.put('x', { signal: controller.signal }));
          const putC = track(queue.put('c'));
          await assertBlocks(putC, 'the last put');
          await putA.promise; // it fits (over a handle, its answer may take longer than the wait above)
          controller.abort(new Cancelled());
          await assert.rejects(putX.promise, Cancelled);
          const taken = [await queue.get(), await queue.get(), await queue.get()];
          assert.deepEqual(taken, ['a', 'b', 'c']);
          await Promise.all([putB.promise, putC.promise]);
          assert.equal(await queue.qsize(), 0);
        });
      },
    );

    it(
      'aborting a putter right after a get made room loses and duplicates nothing',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 1, async (queue) => {
          await queue.putNowait(1);
          const controller = new AbortController();
          const writer = track(queue.put(2, { signal: controller.signal }));
          await assertBlocks(writer, 'a put into a full queue');
          assert.equal(await queue.getNowait(), 1);
          const reason = new Cancelled();
          controller.abort(reason);
          await settleAll([writer]);
          if (writer.state === 'rejected') {
            assert.equal(writer.reason, reason);
            await queue.put(2);
          }
          assert.deepEqual(await drain(queue), [2]);
        });
      },
    );

    it(
      'a put with an already aborted signal rejects at once and stores nothing',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 2, async (queue) => {
          const reason = new Cancelled();
          const signal = AbortSignal.abort(reason);
          await assert.rejects(queue.put(1, { signal }), (err) => err === reason);
          assert.equal(await queue.qsize(), 0, 'not stored even though there was room');
          await queue.put(2);
          await queue.put(3);
          await assert.rejects(queue.put(4, { signal }), (err) => err === reason);
          await queue.get();
          assert.equal(await queue.qsize(), 1, 'no putter may have been parked');
          assert.equal(abortListeners(signal), 0);
        });
      },
    );

    it(
      'a put that times out removes its abort listener and stores nothing',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 1, async (queue) => {
          await queue.put(1);
          const { signal } = new AbortController();
          await assert.rejects(queue.put(2, { signal, timeout: SHORT_TIMEOUT_MS }), QueueFull);
          assert.equal(abortListeners(signal), 0);
          assert.deepEqual(await drain(queue), [1]);
        });
      },
    );
  });
}
