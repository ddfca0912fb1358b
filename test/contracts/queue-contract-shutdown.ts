// Queue contract, part 4: Python 3.13 shutdown, graceful and immediate, and for-await iteration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueEmpty, QueueShutDown, RuntimeError } from '../../src/index.js';
import {
  abortListeners,
  assertBlocks,
  drain,
  guardOf,
  type QueueImpl,
  type QueueLike,
  SHORT_TIMEOUT_MS,
  settleAll,
  track,
  until,
  withQueue,
} from './queue-contract-support.js';

/** Puts and gets of every kind are refused on a shut-down queue with nothing left in it. */
async function assertRefusesEverything(queue: QueueLike<string>): Promise<void> {
  await assert.rejects(queue.put('late'), QueueShutDown);
  await assert.rejects(async () => queue.putNowait('late'), QueueShutDown);
  await assert.rejects(queue.get(), QueueShutDown);
  await assert.rejects(async () => queue.getNowait(), QueueShutDown);
  await assert.rejects(queue.get({ timeout: SHORT_TIMEOUT_MS }), QueueShutDown);
  assert.equal(await queue.qsize(), 0);
}

export function shutdownContract(impl: QueueImpl): void {
  // Each test's guard against a hang, as the implementation needs it.
  const TEST_OPTIONS = guardOf(impl);
  const small = impl.bounded ? 2 : undefined;

  describe('shutdown', () => {
    it(
      'shutDown turns true at shutdown(), which may be repeated and escalated to immediate',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          assert.equal(queue.shutDown, false);
          await queue.put('a');
          await queue.put('b');
          await queue.shutdown();
          assert.equal(queue.shutDown, true);
          assert.equal(await queue.qsize(), 2, 'a graceful shutdown keeps the items');
          await queue.shutdown(true);
          assert.equal(queue.shutDown, true);
          assert.equal(await queue.qsize(), 0, 'escalating to immediate drops them');
          assert.equal(await queue.join({ timeout: 0 }), true);
          await queue.shutdown(false);
          assert.equal(queue.shutDown, true, 'there is no way back');
          await assertRefusesEverything(queue);
        });
      },
    );

    it(
      'shutting down an empty queue wakes waiting getters with QueueShutDown',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const { signal } = new AbortController();
          const getters = [track(queue.get()), track(queue.get({ signal, timeout: 2_000 }))];
          await assertBlocks(getters[1]!, 'a get from an empty queue');
          await queue.shutdown();
          for (const getter of getters) await assert.rejects(getter.promise, QueueShutDown);
          assert.equal(abortListeners(signal), 0);
          assert.equal(await queue.join(), true);
          await assertRefusesEverything(queue);
        });
      },
    );

    it(
      'after a graceful shutdown gets drain what is left, then are refused',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          await queue.put('data');
          const joiner = track(queue.join());
          await queue.shutdown(false);
          assert.equal(await queue.qsize(), 1);
          await assert.rejects(queue.put('late'), QueueShutDown);
          assert.equal(await queue.get(), 'data');
          await assertBlocks(joiner, 'join with the drained item not marked done');
          await assertRefusesEverything(queue);
          await queue.taskDone();
          assert.equal(await joiner.promise, true);
          await assert.rejects(async () => queue.taskDone(), RuntimeError);
        });
      },
    );

    it(
      'an immediate shutdown drops what is left, counts it done and releases join',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          await queue.put('data');
          const joiner = track(queue.join());
          await assertBlocks(joiner, 'join with an item unfinished');
          await queue.shutdown(true);
          assert.equal(await queue.qsize(), 0);
          assert.equal(await joiner.promise, true);
          await assertRefusesEverything(queue);
          await assert.rejects(async () => queue.taskDone(), RuntimeError);
        });
      },
    );

    it('an immediate shutdown leaves items already taken unfinished', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        await queue.put('data');
        await queue.put('data');
        const joiner = track(queue.join());
        assert.equal(await queue.get(), 'data');
        await queue.shutdown(true);
        assert.equal(await queue.qsize(), 0);
        await assertBlocks(joiner, 'join with a taken item not marked done');
        await assertRefusesEverything(queue);
        await queue.taskDone();
        assert.equal(await joiner.promise, true);
        await assert.rejects(async () => queue.taskDone(), RuntimeError);
      });
    });

    for (const immediate of [false, true]) {
      it(`every method in one task after shutdown(${immediate})`, TEST_OPTIONS, async () => {
        await withQueue<string>(impl, small, async (queue) => {
          await queue.put('L');
          await queue.putNowait('O');
          await queue.shutdown(immediate);
          await assert.rejects(queue.put('E'), QueueShutDown);
          await assert.rejects(async () => queue.putNowait('W'), QueueShutDown);
          if (immediate) {
            await assert.rejects(queue.get(), QueueShutDown);
            await assert.rejects(async () => queue.getNowait(), QueueShutDown);
            await assert.rejects(async () => queue.taskDone(), RuntimeError);
            assert.equal(await queue.join(), true);
          } else {
            const first = await queue.get();
            await queue.taskDone();
            const second = await queue.getNowait();
            await queue.taskDone();
            assert.deepEqual([first, second].sort(), ['L', 'O']);
            assert.equal(await queue.join(), true);
            await assertRefusesEverything(queue);
          }
        });
      });

      it(
        `getters after shutdown(${immediate}) of a queue with two items`,
        TEST_OPTIONS,
        async () => {
          await withQueue<string>(impl, small, async (queue) => {
            await queue.put('Y');
            await queue.put('D');
            await queue.shutdown(immediate);
            const getters = [track(queue.get()), track(queue.get()), track(queue.get())];
            await settleAll(getters);
            const got = getters.filter((g) => g.state === 'fulfilled').map((g) => g.value);
            for (const g of getters) {
              if (g.state === 'rejected') assert.ok(g.reason instanceof QueueShutDown);
            }
            assert.deepEqual(got.sort(), immediate ? [] : ['D', 'Y']);
          });
        },
      );

      it(
        `shutdown(${immediate}) releases joiners once the work left is done`,
        TEST_OPTIONS,
        async () => {
          await withQueue<string>(impl, undefined, async (queue) => {
            await queue.put('Y');
            const joiners = [track(queue.join()), track(queue.join())];
            await assertBlocks(joiners[1]!, 'join with an item unfinished');
            await queue.shutdown(immediate);
            if (!immediate) {
              await assertBlocks(joiners[0]!, 'join after a graceful shutdown, item unfinished');
              assert.equal(await queue.get(), 'Y');
              await queue.taskDone();
            }
            assert.deepEqual(await Promise.all(joiners.map((j) => j.promise)), [true, true]);
          });
        },
      );

      if (impl.bounded) {
        it(
          `shutdown(${immediate}) wakes blocked putters with QueueShutDown, storing nothing`,
          TEST_OPTIONS,
          async () => {
            await withQueue<string>(impl, 2, async (queue) => {
              await queue.put('E');
              await queue.put('W');
              const putters = [track(queue.put('Y')), track(queue.put('Z'))];
              await assertBlocks(putters[1]!, 'a put into a full queue');
              await queue.shutdown(immediate);
              for (const putter of putters) await assert.rejects(putter.promise, QueueShutDown);
              const left = await drain(queue);
              assert.deepEqual(left.sort(), immediate ? [] : ['E', 'W']);
              for (const _ of left) await queue.taskDone();
              assert.equal(await queue.join({ timeout: 0 }), true, 'refused items must not count');
              await assert.rejects(async () => queue.taskDone(), RuntimeError);
            });
          },
        );
      }
    }

    it(
      'consumers that get and mark done after a graceful shutdown release the joiners',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, small, async (queue) => {
          await queue.put('Y');
          await queue.put('D');
          const joiners = [track(queue.join()), track(queue.join())];
          await queue.shutdown(false);
          const consume = async () => {
            const item = await queue.get();
            await queue.taskDone();
            return item;
          };
          const items = await Promise.all([consume(), consume()]);
          assert.deepEqual(items.sort(), ['D', 'Y']);
          assert.deepEqual(await Promise.all(joiners.map((j) => j.promise)), [true, true]);
          await assert.rejects(async () => queue.taskDone(), RuntimeError);
        });
      },
    );

    it(
      'a get waiting with a timeout is ended by shutdown with QueueShutDown, not QueueEmpty',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          const getter = track(queue.get({ timeout: 200 }));
          await assertBlocks(getter, 'a get from an empty queue');
          await queue.shutdown();
          await assert.rejects(getter.promise, (err) => {
            assert.ok(!(err instanceof QueueEmpty));
            return err instanceof QueueShutDown;
          });
        });
      },
    );
  });

  describe('for await', () => {
    it(
      'yields every item, including those left at shutdown, and then ends',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          const received: number[] = [];
          const loop = track(
            (async () => {
              for await (const item of queue) received.push(item);
            })(),
          );
          await queue.put(1);
          await until(() => received.length > 0, 'the loop receives the first item');
          assert.deepEqual(received, [1]);
          await assertBlocks(loop, 'the loop on an open, empty queue');
          await queue.put(2);
          await queue.put(3);
          await queue.shutdown();
          await loop.promise;
          assert.deepEqual(
            received.sort((a, b) => a - b),
            [1, 2, 3],
          );
        });
      },
    );

    it(
      'ends at an immediate shutdown without yielding the dropped items',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          await queue.put(1);
          await queue.put(2);
          await queue.shutdown(true);
          const received: number[] = [];
          for await (const item of queue) received.push(item);
          assert.deepEqual(received, []);
        });
      },
    );

    it(
      'a consumer that breaks out of the loop leaves the rest in the queue',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          for (const item of [1, 2, 3]) await queue.put(item);
          for await (const item of queue) {
            assert.equal(typeof item, 'number');
            break;
          }
          assert.equal(await queue.qsize(), 2);
        });
      },
    );
  });
}
