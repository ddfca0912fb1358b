// Credit-based delivery to a queue's consumers (issue 11, point 2): a handle whose consumer
// loops on get() keeps items coming ahead of its code; they stay counted by the owner until
// the code takes them, and go back to the front, in order, when the consumer stops. Each
// promise of src/queue/queue-prefetch.ts, over both transports. Kills in a loop:
// prefetch-deaths.test.ts; random interleavings: property-prefetch.test.ts.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import {
  disconnect,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueFull,
  type QueueHandle,
  QueueShutDown,
  RuntimeError,
  spawn,
} from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import { IDLE_MS } from '../src/queue/queue-prefetch.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { track, until } from './support/async-helpers.js';
import { drain, frozenClock, lentOf, range, take, untilNoneLent } from './support/prefetch.js';

after(closeLocalHandles);

/** A hang guard per test: the waits below are derived from events. */
const SUITE = { timeout: 20_000 } as const;

let clock: ReturnType<typeof frozenClock> | undefined;
afterEach(() => {
  clock?.restore();
  clock = undefined;
});

/** A queue holding the numbers `0 ..< count`, and a handle on it over `to`. */
async function filled(count: number, to: Destination, maxsize = 0) {
  const queue = new Queue<number>(maxsize);
  for (const n of range(0, count)) queue.putNowait(n);
  const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
  return { queue, handle, close };
}

/** Marks `count` items done and checks that join() is released by the last one, not before. */
async function finish<T>(queue: Queue<T>, count: number): Promise<void> {
  const joined = track(queue.join());
  for (let i = 0; i < count - 1; i++) queue.taskDone();
  assert.equal(await queue.join({ timeout: 0 }), count === 0, 'join waits for the last taskDone');
  if (count > 0) queue.taskDone();
  assert.equal(await joined.promise, true);
  assert.throws(() => queue.taskDone(), RuntimeError, 'no item was counted twice');
}

for (const to of ['thread', 'process'] as Destination[]) {
  describe(`a consumer fetches ahead (${to} handle)`, () => {
    test('a fast consumer gets every item once, in order', SUITE, async () => {
      clock = frozenClock();
      const { queue, handle, close } = await filled(500, to);
      try {
        let lentSeen = 0;
        const got: number[] = [];
        for await (const n of handle) {
          got.push(n);
          lentSeen = Math.max(lentSeen, lentOf(queue));
          if (got.length === 500) break;
        }
        assert.deepEqual(got, range(0, 500));
        assert.ok(lentSeen > 1, 'items were fetched ahead');
        await untilNoneLent(queue, 'the loop ended');
        assert.equal(queue.qsize(), 0);
        await finish(queue, 500);
      } finally {
        await close();
      }
    });

    test(
      'qsize counts what was fetched ahead and not taken: 3 taken of 10 leaves 7',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(10, to);
        try {
          assert.deepEqual(await take(() => handle.get(), 3), [0, 1, 2]);
          // A call on the same connection carries the confirmations of what the code took.
          assert.equal(await handle.qsize(), 7);
          assert.equal(queue.qsize(), 7);
          assert.equal(queue.empty(), false);
          const lent = lentOf(queue);
          assert.ok(lent > 0, 'items were fetched ahead');
          // The owner can take only what is stored: the lent items are the consumer's next.
          assert.deepEqual(drain(queue), range(3 + lent, 10));
          assert.equal(queue.qsize(), lent);
          await close();
          await untilNoneLent(queue, 'the handle disconnected');
          assert.deepEqual(drain(queue), range(3, 3 + lent), 'they came back in order');
          assert.equal(queue.qsize(), 0);
          await finish(queue, 10);
        } finally {
          await close();
        }
      },
    );

    test(
      'a bounded queue’s putters wait while items are lent, and get in as the consumer takes them',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(4, to, 4);
        try {
          assert.deepEqual(await take(() => handle.get(), 2), [0, 1]);
          await handle.qsize(); // the owner has the confirmations
          while (!queue.full()) queue.putNowait(queue.qsize() + 2);
          const lent = lentOf(queue);
          assert.ok(lent > 0, 'items were fetched ahead');
          assert.equal(queue.qsize(), 4, 'lent items count against maxsize');
          clock.restore(); // the put's own timeout runs on the real clock
          await assert.rejects(queue.put(-1, { timeout: 20 }), QueueFull);
          const putting = track(queue.put(6));
          assert.equal(await handle.get(), 2);
          // The confirmation of what the code took makes the room. (Waited on turn by turn: in
          // this test both ends are one process, whose loop nothing else keeps alive.)
          await until(() => putting.state === 'fulfilled', 'the putter got in');
          assert.equal(queue.qsize(), 4);
          const rest = await take(() => handle.get(), 4);
          assert.deepEqual(rest, [3, 4, 5, 6]);
          assert.equal(await handle.qsize(), 0);
          await finish(queue, 7);
        } finally {
          await close();
        }
      },
    );

    test(
      'a producer into a bounded queue never finds it over maxsize, every item arrives in order',
      SUITE,
      async () => {
        const queue = new Queue<number>(3);
        const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
        try {
          const producer = spawn(async () => {
            for (const n of range(0, 200)) {
              await queue.put(n);
              assert.ok(queue.qsize() <= 3, `qsize ${queue.qsize()} over maxsize`);
            }
            queue.shutdown();
          });
          const got: number[] = [];
          for await (const n of handle) got.push(n);
          await producer;
          assert.deepEqual(got, range(0, 200));
          // The owner forgets the last item once the handle confirms it: at the end of the
          // consumer's turn, or with its next call, as here (the loop can end in the turn the
          // item arrived, when the shutdown's answer came with it).
          assert.equal(await handle.qsize(), 0);
          assert.equal(queue.qsize(), 0);
          assert.equal(lentOf(queue), 0);
        } finally {
          await close();
        }
      },
    );

    test('breaking out of for await gives back the rest in order', SUITE, async () => {
      clock = frozenClock();
      const { queue, handle, close } = await filled(20, to);
      try {
        const got: number[] = [];
        for await (const n of handle) {
          got.push(n);
          if (got.length === 3) {
            assert.ok(lentOf(queue) > 0, 'items were fetched ahead');
            break;
          }
        }
        await untilNoneLent(queue, 'the loop broke');
        assert.equal(queue.qsize(), 17);
        assert.deepEqual(drain(queue), range(3, 20));
        await finish(queue, 20);
      } finally {
        await close();
      }
    });

    for (const [how, giveUp] of [
      ['its timeout fires', (h: QueueHandle<number>) => h.get({ timeout: 20 })],
      [
        'its signal aborts',
        (h: QueueHandle<number>) => {
          const controller = new AbortController();
          setTimeout(() => controller.abort(new Error('given up')), 20);
          return h.get({ signal: controller.signal });
        },
      ],
      [
        'its task is killed',
        async (h: QueueHandle<number>) => {
          const task = spawn(() => h.get());
          setTimeout(() => void task.kill(new Error('given up')), 20);
          return await task;
        },
      ],
    ] as const) {
      test(
        `a get that gives up (${how}) with batches out: nothing lost, none twice, order kept`,
        SUITE,
        async () => {
          clock = frozenClock();
          const { queue, handle, close } = await filled(6, to);
          try {
            // Taken to the end: the next batch waits at the owner for items.
            assert.deepEqual(await take(() => handle.get(), 6), range(0, 6));
            assert.ok(queue[GETTERS].length > 0, 'a batch waits at the owner');
            clock!.restore(); // the get's own timeout runs on the real clock
            await assert.rejects(giveUp(handle) as Promise<unknown>);
            // The consumer stopped: the owner withdraws every batch it had parked.
            await until(() => queue[GETTERS].length === 0, 'the batches are withdrawn');
            // What arrives now is the queue's: no call of the consumer is left to take it.
            for (const n of range(6, 9)) queue.putNowait(n);
            await handle.qsize();
            assert.equal(lentOf(queue), 0, 'no withdrawn batch took an item');
            assert.deepEqual(drain(queue), [6, 7, 8]);
            // And the consumer goes on as before.
            queue.putNowait(9);
            assert.equal(await handle.get(), 9);
            await finish(queue, 10);
          } finally {
            await close();
          }
        },
      );
    }

    test(
      'a consumer that stops asking gives back what it fetched ahead once idle',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(20, to);
        try {
          assert.deepEqual(await take(() => handle.get(), 3), [0, 1, 2]);
          assert.ok(lentOf(queue) > 0, 'items were fetched ahead');
          clock.advance(IDLE_MS + 1);
          await untilNoneLent(queue, 'the consumer is idle');
          assert.equal(queue.qsize(), 17);
          assert.deepEqual(drain(queue), range(3, 20));
          // Idle is not gone: the next get fetches again.
          queue.putNowait(20);
          assert.equal(await handle.get(), 20);
          await finish(queue, 21);
        } finally {
          await close();
        }
      },
    );

    test(
      'disconnect gives back what was fetched ahead and not taken, in order',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(20, to);
        try {
          assert.deepEqual(await take(() => handle.get(), 5), range(0, 5));
          assert.ok(lentOf(queue) > 0, 'items were fetched ahead');
          disconnect(handle);
          await untilNoneLent(queue, 'the handle disconnected');
          assert.equal(queue.qsize(), 15);
          assert.deepEqual(drain(queue), range(5, 20));
          await finish(queue, 20);
        } finally {
          await close();
        }
      },
    );

    test(
      'shutdown() while items are lent: they are still delivered, then QueueShutDown',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(10, to);
        try {
          assert.deepEqual(await take(() => handle.get(), 3), [0, 1, 2]);
          assert.ok(lentOf(queue) > 0, 'items were fetched ahead');
          queue.shutdown();
          const rest: number[] = [];
          for await (const n of handle) rest.push(n);
          assert.deepEqual(rest, range(3, 10));
          await assert.rejects(handle.get(), QueueShutDown);
          assert.equal(queue.qsize(), 0);
          assert.equal(lentOf(queue), 0);
          await finish(queue, 10);
        } finally {
          await close();
        }
      },
    );

    test(
      'shutdown(true) while items are lent, the consumer takes them: join counts them exactly',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(10, to);
        try {
          assert.deepEqual(await take(() => handle.get(), 3), [0, 1, 2]);
          for (let i = 0; i < 3; i++) await handle.taskDone();
          const lent = lentOf(queue);
          assert.ok(lent > 0, 'items were fetched ahead');
          queue.shutdown(true); // drops what is stored; the lent items are the consumer's still
          assert.equal(queue.qsize(), lent);
          const joined = track(queue.join());
          const rest: number[] = [];
          for await (const n of handle) rest.push(n);
          assert.deepEqual(rest, range(3, 3 + lent), 'the lent items, in order');
          assert.equal(queue.qsize(), 0);
          for (let i = 0; i < rest.length - 1; i++) await handle.taskDone();
          assert.equal(joined.state, 'pending', 'join waits for the last taskDone');
          await handle.taskDone();
          assert.equal(await joined.promise, true);
          await assert.rejects(handle.taskDone(), RuntimeError);
        } finally {
          await close();
        }
      },
    );

    test(
      'shutdown(true) while items are lent, the consumer stops: they come back dropped and done',
      SUITE,
      async () => {
        clock = frozenClock();
        const { queue, handle, close } = await filled(10, to);
        try {
          assert.deepEqual(await take(() => handle.get(), 3), [0, 1, 2]);
          assert.ok(lentOf(queue) > 0, 'items were fetched ahead');
          queue.shutdown(true);
          const joined = track(queue.join());
          await handle.taskDone();
          await handle.taskDone();
          clock.advance(IDLE_MS + 1);
          await untilNoneLent(queue, 'the consumer is idle');
          assert.equal(queue.qsize(), 0);
          assert.equal(joined.state, 'pending', 'one item taken is not done yet');
          await handle.taskDone();
          assert.equal(await joined.promise, true);
          await assert.rejects(handle.taskDone(), RuntimeError);
        } finally {
          await close();
        }
      },
    );

    test(
      'two consumers on one queue: every item exactly once, each in increasing order',
      SUITE,
      async () => {
        const queue = new Queue<number>();
        const a = await localHandle<QueueHandle<number>>(queue, to);
        const b = await localHandle<QueueHandle<number>>(queue, to);
        try {
          const consume = async (handle: QueueHandle<number>) => {
            const got: number[] = [];
            for await (const n of handle) got.push(n);
            return got;
          };
          const consumers = [consume(a.handle), consume(b.handle)];
          for (const n of range(0, 1000)) {
            queue.putNowait(n);
            if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
          queue.shutdown();
          const [gotA, gotB] = await Promise.all(consumers);
          for (const got of [gotA!, gotB!]) {
            assert.deepEqual(
              got,
              [...got].sort((x, y) => x - y),
              'a consumer’s items in order',
            );
          }
          assert.deepEqual(
            [...gotA!, ...gotB!].sort((x, y) => x - y),
            range(0, 1000),
          );
          assert.equal(lentOf(queue), 0);
        } finally {
          await a.close();
          await b.close();
        }
      },
    );

    test(
      'LifoQueue and PriorityQueue handles never fetch ahead: their order holds',
      SUITE,
      async () => {
        clock = frozenClock();
        const stack = new LifoQueue<number>();
        const jobs = new PriorityQueue<number>();
        const s = await localHandle<QueueHandle<number>>(stack, to);
        const j = await localHandle<QueueHandle<number>>(jobs, to);
        try {
          for (const n of [1, 2, 3]) stack.putNowait(n);
          for (const n of [9, 5, 7]) jobs.putNowait(n);
          const got: number[] = [];
          const prio: number[] = [];
          for (let i = 0; i < 3; i++) {
            got.push(await s.handle.get());
            prio.push(await j.handle.get());
            assert.equal(lentOf(stack), 0);
            assert.equal(lentOf(jobs), 0);
            // What comes in now comes out next: nothing was taken ahead of it.
            stack.putNowait(10 + i);
            jobs.putNowait(i);
          }
          assert.deepEqual(got, [3, 10, 11]);
          assert.deepEqual(prio, [5, 0, 1]);
          assert.equal(stack.qsize(), 3);
          assert.equal(jobs.qsize(), 3);
        } finally {
          await s.close();
          await j.close();
        }
      },
    );
  });
}
