// Queue contract, part 1: storing and taking items, the nowait calls, sizes, timeouts, options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueEmpty, QueueFull } from '../../src/index.js';
import {
  assertBlocks,
  drain,
  expectedOrder,
  guardOf,
  type QueueImpl,
  type QueueLike,
  SHORT_TIMEOUT_MS,
  track,
  withQueue,
} from './queue-contract-support.js';

/** A reference model of the storage order, to compare a queue against. */
function modelTake(model: number[], order: QueueImpl['order']): number {
  if (order === 'fifo') return model.shift()!;
  if (order === 'lifo') return model.pop()!;
  const smallest = model.indexOf(Math.min(...model));
  return model.splice(smallest, 1)[0]!;
}

/** A small seeded generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Checks the empty → one item → ... → maxsize → ... → empty life of a bounded queue of size 5. */
async function fillAndEmpty(queue: QueueLike<number>, order: QueueImpl['order']): Promise<void> {
  assert.equal(await queue.empty(), true);
  assert.equal(await queue.full(), false);
  await queue.put(111);
  await queue.put(333);
  await queue.put(222);
  const taken = [await queue.get(), await queue.get(), await queue.get()];
  assert.deepEqual(taken, expectedOrder(order, [111, 333, 222]));
  for (let i = 0; i < 4; i++) {
    await queue.put(i);
    assert.equal(await queue.qsize(), i + 1);
  }
  assert.equal(await queue.full(), false);
  await queue.put(10);
  assert.equal(await queue.full(), true);
  assert.equal(await queue.empty(), false);
  await assert.rejects(async () => queue.putNowait(30), QueueFull);
  await assert.rejects(queue.put(30, { timeout: SHORT_TIMEOUT_MS }), QueueFull);
  // A put that must wait for room, released by a get.
  const blocked = track(queue.put(30));
  await assertBlocks(blocked, 'a put into a full queue');
  await queue.get();
  await blocked.promise;
  const blockedWithTimeout = track(queue.put(30, { timeout: 2_000 }));
  await assertBlocks(blockedWithTimeout, 'a put with a long timeout into a full queue');
  await queue.get();
  await blockedWithTimeout.promise;
  for (let i = 0; i < 5; i++) await queue.get();
  assert.equal(await queue.qsize(), 0);
  await assert.rejects(async () => queue.getNowait(), QueueEmpty);
  await assert.rejects(queue.get({ timeout: SHORT_TIMEOUT_MS }), QueueEmpty);
  // A get that must wait for an item, released by a put.
  const waiting = track(queue.get());
  await assertBlocks(waiting, 'a get from an empty queue');
  await queue.put(7);
  assert.equal(await waiting.promise, 7);
  const waitingWithTimeout = track(queue.get({ timeout: 2_000 }));
  await assertBlocks(waitingWithTimeout, 'a get with a long timeout from an empty queue');
  await queue.put(8);
  assert.equal(await waitingWithTimeout.promise, 8);
}

export function basicsContract(impl: QueueImpl): void {
  // Each test's guard against a hang, as the implementation needs it.
  const TEST_OPTIONS = guardOf(impl);
  describe('storing and taking items', () => {
    it('a new queue is empty and not full', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, undefined, async (queue) => {
        assert.equal(await queue.qsize(), 0);
        assert.equal(await queue.empty(), true);
        assert.equal(await queue.full(), false);
        assert.equal(queue.shutDown, false);
      });
    });

    it(`items put while nobody waits come out in ${impl.order} order`, TEST_OPTIONS, async () => {
      await withQueue<number>(impl, undefined, async (queue) => {
        const puts = [5, 1, 4, 2, 3, 9, 0];
        for (const [i, item] of puts.entries()) {
          await queue.put(item);
          assert.equal(await queue.qsize(), i + 1);
          assert.equal(await queue.empty(), false);
        }
        const taken: number[] = [];
        for (let left = puts.length; left > 0; left--) {
          taken.push(await queue.get());
          assert.equal(await queue.qsize(), left - 1);
        }
        assert.deepEqual(taken, expectedOrder(impl.order, puts));
        assert.equal(await queue.empty(), true);
      });
    });

    it(`interleaved puts and gets follow ${impl.order} order`, TEST_OPTIONS, async () => {
      await withQueue<number>(impl, undefined, async (queue) => {
        const next = random(7);
        const model: number[] = [];
        for (let step = 0; step < 300; step++) {
          if (model.length === 0 || next() < 0.55) {
            const item = Math.floor(next() * 50);
            model.push(item);
            if (next() < 0.5) await queue.put(item);
            else await queue.putNowait(item);
          } else {
            const expected = modelTake(model, impl.order);
            const got = next() < 0.5 ? await queue.get() : await queue.getNowait();
            assert.equal(got, expected, `step ${step}`);
          }
          assert.equal(await queue.qsize(), model.length);
        }
      });
    });

    it('putNowait stores at once and getNowait takes at once', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        await queue.putNowait('a');
        assert.equal(await queue.qsize(), 1);
        assert.equal(await queue.getNowait(), 'a');
        assert.equal(await queue.qsize(), 0);
      });
    });

    it('getNowait on an empty queue throws QueueEmpty', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        await assert.rejects(async () => queue.getNowait(), QueueEmpty);
        // Still usable afterwards.
        await queue.putNowait('a');
        assert.equal(await queue.getNowait(), 'a');
      });
    });

    it(
      'get with a timeout on an empty queue rejects with QueueEmpty and leaves no getter behind',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const timedOut = track(queue.get({ timeout: SHORT_TIMEOUT_MS }));
          await assertBlocks(timedOut, 'a get with a timeout', 1);
          await assert.rejects(timedOut.promise, QueueEmpty);
          await queue.put('kept');
          assert.equal(await queue.qsize(), 1, 'the item must not go to the timed-out getter');
          assert.equal(await queue.getNowait(), 'kept');
        });
      },
    );

    it(
      'get with timeout 0 takes an available item, or rejects with QueueEmpty at once',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          await assert.rejects(queue.get({ timeout: 0 }), QueueEmpty);
          await queue.put('a');
          assert.equal(await queue.get({ timeout: 0 }), 'a');
          await queue.put('b');
          assert.equal(await queue.qsize(), 1);
        });
      },
    );

    it('a negative timeout rejects with RangeError and changes nothing', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        await assert.rejects(queue.put('x', { timeout: -1 }), RangeError);
        assert.equal(await queue.qsize(), 0, 'the refused put must store nothing');
        await queue.put('a');
        await assert.rejects(queue.get({ timeout: -1 }), RangeError);
        assert.equal(await queue.qsize(), 1, 'the refused get must take nothing');
        await assert.rejects(queue.join({ timeout: -5 }), RangeError);
      });
    });

    it(
      'a timeout or signal of the wrong type rejects with TypeError and changes nothing',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const bad = [
            { timeout: Number.NaN },
            { timeout: '10' as unknown as number },
            { signal: {} as AbortSignal },
          ];
          for (const opts of bad) {
            await assert.rejects(queue.put('x', opts), TypeError);
            await assert.rejects(queue.join(opts), TypeError);
          }
          assert.equal(await queue.qsize(), 0);
          await queue.put('a');
          for (const opts of bad) await assert.rejects(queue.get(opts), TypeError);
          assert.equal(await queue.qsize(), 1);
        });
      },
    );

    it('timeout Infinity means waiting without a limit', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        const waiting = track(queue.get({ timeout: Number.POSITIVE_INFINITY }));
        await assertBlocks(waiting, 'a get with timeout Infinity');
        await queue.put('a');
        assert.equal(await waiting.promise, 'a');
      });
    });

    if (impl.order === 'fifo') {
      it('one producer and one consumer see the items in put order', TEST_OPTIONS, async () => {
        await withQueue<number>(impl, impl.bounded ? 3 : undefined, async (queue) => {
          const inputs = Array.from({ length: 100 }, (_, i) => i);
          const received: number[] = [];
          const consumer = (async () => {
            for (let i = 0; i < inputs.length; i++) received.push(await queue.get());
          })();
          for (const item of inputs) await queue.put(item);
          await consumer;
          assert.deepEqual(received, inputs);
        });
      });
    }
  });

  if (!impl.bounded) return;

  describe('bounded', () => {
    it('maxsize is reported and full() is true exactly at maxsize', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, 3, async (queue) => {
        assert.equal(queue.maxsize, 3);
        for (let i = 0; i < 3; i++) {
          assert.equal(await queue.full(), false);
          await queue.put(i);
        }
        assert.equal(await queue.full(), true);
        await queue.get();
        assert.equal(await queue.full(), false);
      });
    });

    it('putNowait on a full queue throws QueueFull and stores nothing', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, 5, async (queue) => {
        for (let i = 0; i < 5; i++) await queue.putNowait(1);
        await assert.rejects(async () => queue.putNowait(2), QueueFull);
        assert.equal(await queue.qsize(), 5);
        for (let i = 0; i < 5; i++) assert.equal(await queue.getNowait(), 1);
        await assert.rejects(async () => queue.getNowait(), QueueEmpty);
      });
    });

    it(
      'put with a timeout on a full queue rejects with QueueFull and the item never appears',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 2, async (queue) => {
          await queue.put(1);
          await queue.put(2);
          const timedOut = track(queue.put(99, { timeout: SHORT_TIMEOUT_MS }));
          await assertBlocks(timedOut, 'a put with a timeout into a full queue', 1);
          await assert.rejects(timedOut.promise, QueueFull);
          assert.equal(await queue.qsize(), 2);
          await queue.get();
          assert.equal(await queue.qsize(), 1, 'the timed-out putter must not be admitted later');
          assert.deepEqual((await drain(queue)).includes(99), false);
        });
      },
    );

    it(
      'put with timeout 0 stores when there is room, else rejects with QueueFull at once',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 1, async (queue) => {
          await queue.put(1, { timeout: 0 });
          await assert.rejects(queue.put(2, { timeout: 0 }), QueueFull);
          assert.deepEqual(await drain(queue), [1]);
        });
      },
    );

    it(
      'a bounded queue can be filled and emptied, waiting both ways, twice over',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 5, async (queue) => {
          await fillAndEmpty(queue, impl.order);
          await fillAndEmpty(queue, impl.order);
        });
      },
    );

    it(
      'a producer and a consumer pass every item through a queue of maxsize 1',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, 1, async (queue) => {
          const received: number[] = [];
          const consumer = (async () => {
            for (let i = 0; i < 5; i++) received.push(await queue.get());
          })();
          for (let i = 0; i < 5; i++) await queue.put(i);
          await consumer;
          assert.deepEqual(received, [0, 1, 2, 3, 4]);
        });
      },
    );
  });
}
