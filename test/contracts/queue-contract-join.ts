// Queue contract, part 3: taskDone/join accounting, and many producers and consumers at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueShutDown, RuntimeError } from '../../src/index.js';
import {
  abortListeners,
  assertBlocks,
  Cancelled,
  guardOf,
  type QueueImpl,
  type QueueLike,
  SHORT_TIMEOUT_MS,
  track,
  UNREACHED_TIMEOUT_MS,
  withQueue,
} from './queue-contract-support.js';

/** Two workers sum 100 items; join must not return before they marked every one done. */
async function sumWithTwoWorkers(queue: QueueLike<number>): Promise<void> {
  let sum = 0;
  const worker = async () => {
    while (true) {
      const item = await queue.get();
      if (item < 0) {
        await queue.taskDone();
        return;
      }
      // Finish the item a little later, so join has something to wait for.
      await new Promise((resolve) => setImmediate(resolve));
      sum += item;
      await queue.taskDone();
    }
  };
  const workers = [worker(), worker()];
  for (let i = 0; i < 100; i++) await queue.put(i);
  assert.equal(await queue.join(), true);
  assert.equal(sum, 4950, 'join returned before every item was done');
  await queue.put(-1);
  await queue.put(-1);
  assert.equal(await queue.join(), true);
  await Promise.all(workers);
}

export function joinContract(impl: QueueImpl): void {
  // Each test's guard against a hang, as the implementation needs it.
  const TEST_OPTIONS = guardOf(impl);
  describe('taskDone and join', () => {
    it(
      'taskDone on a queue with nothing unfinished throws RuntimeError',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          await assert.rejects(async () => queue.taskDone(), RuntimeError);
        });
      },
    );

    it('join with nothing unfinished resolves true, every time', TEST_OPTIONS, async () => {
      await withQueue<number>(impl, undefined, async (queue) => {
        assert.equal(await queue.join(), true);
        assert.equal(await queue.join(), true);
        assert.equal(await queue.join({ timeout: 0 }), true);
      });
    });

    it('join waits until every item put has been marked done', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        await queue.put('a');
        await queue.put('b');
        const joiner = track(queue.join());
        await assertBlocks(joiner, 'join with two items unfinished');
        await queue.get();
        await queue.get();
        await assertBlocks(joiner, 'join with items taken but not marked done');
        await queue.taskDone();
        await assertBlocks(joiner, 'join with one item not marked done');
        await queue.taskDone();
        assert.equal(await joiner.promise, true);
        await assert.rejects(async () => queue.taskDone(), RuntimeError);
      });
    });

    it('join with a timeout resolves false while work is unfinished', TEST_OPTIONS, async () => {
      await withQueue<string>(impl, undefined, async (queue) => {
        await queue.put('a');
        assert.equal(await queue.join({ timeout: 0 }), false);
        assert.equal(await queue.join({ timeout: SHORT_TIMEOUT_MS }), false);
        await queue.get();
        await queue.taskDone();
        // Not meant to run out: a join that looks elsewhere (Redis) counts its round trip in it.
        assert.equal(await queue.join({ timeout: UNREACHED_TIMEOUT_MS }), true);
      });
    });

    it(
      'a join aborted by its signal rejects with the reason and leaves no listener',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          await queue.put('a');
          const controller = new AbortController();
          const aborted = track(queue.join({ signal: controller.signal }));
          const other = track(queue.join());
          await assertBlocks(aborted, 'join with an item unfinished');
          const reason = new Cancelled();
          controller.abort(reason);
          await assert.rejects(aborted.promise, (err) => err === reason);
          assert.equal(abortListeners(controller.signal), 0);
          await assertBlocks(other, 'a second join, not aborted');
          await queue.get();
          await queue.taskDone();
          assert.equal(await other.promise, true);
          await assert.rejects(
            queue.join({ signal: AbortSignal.abort(reason) }),
            (e) => e === reason,
          );
        });
      },
    );

    it(
      'workers mark 100 items done, join returns after the last, and the queue can be joined again',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          await sumWithTwoWorkers(queue);
          await sumWithTwoWorkers(queue);
          await assert.rejects(async () => queue.taskDone(), RuntimeError);
        });
      },
    );

    it(
      'items put before the workers start are all marked done before join returns',
      TEST_OPTIONS,
      async () => {
        await withQueue<number>(impl, undefined, async (queue) => {
          for (let i = 0; i < 100; i++) await queue.putNowait(i);
          let sum = 0;
          const worker = async () => {
            for await (const item of queue) {
              sum += item;
              await queue.taskDone();
            }
          };
          const workers = [worker(), worker()];
          assert.equal(await queue.join(), true);
          assert.equal(sum, 4950);
          await queue.shutdown();
          await Promise.all(workers);
        });
      },
    );

    it(
      'one taskDone too many throws RuntimeError and leaves the count alone',
      TEST_OPTIONS,
      async () => {
        await withQueue<string>(impl, undefined, async (queue) => {
          await queue.put('a');
          await queue.get();
          await queue.taskDone();
          await assert.rejects(async () => queue.taskDone(), RuntimeError);
          // The failed call must not have pushed the count below zero: one new item needs one taskDone.
          await queue.put('b');
          const joiner = track(queue.join());
          await assertBlocks(joiner, 'join with a new item unfinished');
          await queue.get();
          await queue.taskDone();
          assert.equal(await joiner.promise, true);
        });
      },
    );
  });

  describe('many producers and consumers', () => {
    for (const maxsize of impl.bounded ? [0, 3] : [0]) {
      it(`every item is received exactly once (maxsize ${maxsize})`, TEST_OPTIONS, async () => {
        await withQueue<number>(impl, maxsize, async (queue) => {
          const producers = 4;
          const perProducer = 100;
          const seen = new Uint8Array(producers * perProducer);
          const produce = async (p: number) => {
            for (let i = 0; i < perProducer; i++) await queue.put(p * perProducer + i);
          };
          const consume = async () => {
            while (true) {
              let item: number;
              try {
                item = await queue.get();
              } catch (err) {
                if (err instanceof QueueShutDown) return;
                throw err;
              }
              seen[item]!++;
              await queue.taskDone();
            }
          };
          const consumers = Array.from({ length: 4 }, consume);
          await Promise.all(Array.from({ length: producers }, (_, p) => produce(p)));
          assert.equal(await queue.join(), true);
          await queue.shutdown();
          await Promise.all(consumers);
          assert.deepEqual([...new Set(seen)], [1], 'some item was lost or received twice');
          assert.equal(await queue.qsize(), 0);
        });
      });
    }
  });
}
