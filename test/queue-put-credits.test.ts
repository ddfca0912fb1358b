// Pipelined puts under credits (issue 11, point 2): a producer's handle that loops on
// `await put()` gets credits with the answers to its puts and puts under them without a
// round trip; a credit is a slot the owner reserved, so a bounded queue never holds more
// than its bound, and credits come back when the producer idles, disconnects or dies.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { disconnect, Event, Queue, type QueueHandle, QueueShutDown } from '../src/index.js';
import { outboxCounts } from '../src/remote/outbox.js';
import { closeLocalHandles, HANDLE_TRANSPORTS, localHandle } from './fixtures/proxy-local.js';
import { putCount, putThenHang } from './fixtures/put-credit-targets.js';
import { WORKER_SUITE } from './support/async-helpers.js';
import {
  eventually,
  killAll,
  killParty,
  PATIENCE,
  seededRandom,
  startParty,
} from './support/dead-party.js';

after(closeLocalHandles);
after(killAll);

/** A Queue that records the most items it ever stored at once. */
class Watched<T> extends Queue<T> {
  peak = 0;
  protected override store(item: T): void {
    super.store(item);
    this.peak = Math.max(this.peak, this.qsize());
  }
}

/** Every item the queue holds now, taken at the owner. */
function drain<T>(queue: Queue<T>): T[] {
  const items: T[] = [];
  while (queue.qsize() > 0) items.push(queue.getNowait());
  return items;
}

/**
 * Three puts in a row from `handle`: the second asks for a credit, the third puts under it and
 * asks for more, so the handle holds a credit after them (on a queue with room for it).
 */
async function putThree(handle: Pick<QueueHandle<number>, 'put' | 'qsize'>): Promise<void> {
  // Made in one turn, so the window opens whatever a round trip costs (it opens only while
  // puts come fast: awaited one by one on a loaded machine, they may not).
  await Promise.all([0, 1, 2].map((i) => handle.put(i)));
  await handle.qsize(); // answered after every put before it was taken
}

function callback(): void {}

for (const [label, to] of HANDLE_TRANSPORTS) {
  describe(`pipelined puts under credits (${label})`, WORKER_SUITE, () => {
    test('puts in a loop keep their order, and every item arrives once', async () => {
      const queue = new Queue<number>();
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        const count = 2_000;
        for (let i = 0; i < count; i++) await handle.put(i);
        assert.equal(await handle.qsize(), count, 'the handle sees the owner’s count');
        assert.deepEqual(
          drain(queue),
          Array.from({ length: count }, (_, i) => i),
        );
      } finally {
        await close();
      }
    });

    test('puts under credits go together at the end of the turn, each item as it was at its put', async () => {
      const queue = new Queue<{ step: number }>();
      const { handle, close } = await localHandle<QueueHandle<{ step: number }>>(queue, to);
      try {
        const item = { step: 0 };
        const posts = outboxCounts.posts;
        for (let step = 0; step < 500; step++) {
          item.step = step;
          await handle.put(item); // the same object, changed after each put
        }
        // The handle's next call goes after its puts, on the same connection.
        assert.equal(await handle.qsize(), 500);
        assert.ok(outboxCounts.posts - posts < 100, `${outboxCounts.posts - posts} frames`);
        assert.deepEqual(
          drain(queue).map((arrived) => arrived.step),
          Array.from({ length: 500 }, (_, step) => step),
        );
      } finally {
        await close();
      }
    });

    test('a credit is a reserved slot: the bound counts it, qsize does not', async () => {
      const queue = new Queue<number>(4);
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        await putThree(handle);
        assert.equal(queue.qsize(), 3);
        assert.equal(queue.full(), true, 'the fourth slot is reserved for the handle');
        assert.throws(() => queue.putNowait(99), /full/);
        await handle.put(3); // under the credit
        await eventually(() => queue.qsize() === 4, 'the put under credit arrived');
        assert.deepEqual(drain(queue), [0, 1, 2, 3]);
      } finally {
        await close();
      }
    });

    test('credits come back when the producer idles: a waiting putter is admitted', async () => {
      const queue = new Queue<string | number>(4);
      const { handle, close } = await localHandle<QueueHandle<string | number>>(queue, to);
      try {
        await putThree(handle);
        assert.equal(queue.full(), true, 'a credit is held');
        await queue.put('local', PATIENCE); // admitted once the idle handle gives its credit back
        assert.deepEqual(drain(queue), [0, 1, 2, 'local']);
      } finally {
        await close();
      }
    });

    test('credits come back on disconnect: a waiting putter is admitted', async () => {
      const queue = new Queue<string | number>(4);
      const { handle } = await localHandle<QueueHandle<string | number>>(queue, to);
      await putThree(handle);
      assert.equal(queue.full(), true, 'a credit is held');
      const local = queue.put('local', PATIENCE);
      disconnect(handle);
      await local;
      assert.deepEqual(drain(queue), [0, 1, 2, 'local']);
    });

    test('a value that cannot cross rejects at the call, nothing sent, the credit kept', async () => {
      const queue = new Queue<unknown>(4);
      const { handle, close } = await localHandle<QueueHandle<unknown>>(queue, to);
      try {
        await putThree(handle);
        assert.equal(queue.full(), true, 'a credit is held');
        await assert.rejects(handle.put(callback), TypeError);
        await assert.rejects(handle.putNowait(callback), TypeError);
        assert.equal(await handle.qsize(), 3, 'nothing arrived');
        assert.equal(queue.full(), true, 'the credit is still held');
        await handle.put('after');
        await eventually(() => queue.qsize() === 4, 'the next put arrived');
        assert.deepEqual(drain(queue), [0, 1, 2, 'after']);
      } finally {
        await close();
      }
    });

    test('a put under credit sent as the queue shuts down is accepted; later puts are refused', async () => {
      const queue = new Queue<number | string>();
      const { handle, close } = await localHandle<QueueHandle<number | string>>(queue, to);
      try {
        await putThree(handle);
        queue.shutdown();
        await handle.put('late'); // under a credit: the handle has not heard of the shutdown
        assert.equal(queue.qsize(), 3, 'resolved before the owner had it');
        assert.equal(await handle.qsize(), 4, 'the owner accepted it into its reserved slot');
        assert.equal(handle.shutDown, true);
        await assert.rejects(handle.put('later'), QueueShutDown);
        await assert.rejects(handle.putNowait('later'), QueueShutDown);
        assert.deepEqual(drain(queue), [0, 1, 2, 'late']);
        await assert.rejects(queue.get(), QueueShutDown);
      } finally {
        await close();
      }
    });

    test('a put under credit that arrives after shutdown(true) is dropped and counted done', async () => {
      const queue = new Queue<number | string>();
      const { handle, close } = await localHandle<QueueHandle<number | string>>(queue, to);
      try {
        await putThree(handle);
        queue.shutdown(true);
        await handle.put('late');
        assert.equal(await handle.qsize(), 0, 'dropped');
        assert.equal(await queue.join({ timeout: 0 }), true, 'nothing left unfinished');
        assert.throws(() => queue.taskDone(), /more times/);
      } finally {
        await close();
      }
    });
  });
}

describe(
  'a bounded queue never holds more than its bound (seeded random runs)',
  WORKER_SUITE,
  () => {
    for (const seed of [1, 2, 3]) {
      test(`seed ${seed}: two producers (thread and process handles), gets at the owner`, async () => {
        const random = seededRandom(seed);
        const maxsize = 1 + Math.floor(random() * 6);
        const queue = new Watched<string>(maxsize);
        const a = await localHandle<QueueHandle<string>>(queue, 'thread');
        const b = await localHandle<QueueHandle<string>>(queue, 'process');
        const count = 300;
        try {
          const produce = async (name: string, handle: QueueHandle<string>) => {
            for (let i = 0; i < count; i++) {
              if (random() < 0.1) await nextTurn();
              if (random() < 0.3)
                await handle.putNowait(`${name}${i}`).catch(() => handle.put(`${name}${i}`));
              else await handle.put(`${name}${i}`);
            }
          };
          const producers = Promise.all([produce('a', a.handle), produce('b', b.handle)]);
          const seen = { a: -1, b: -1 } as Record<string, number>;
          for (let got = 0; got < 2 * count; got++) {
            for (let turns = Math.floor(random() * 3); turns > 0; turns--) await nextTurn();
            assert.ok(queue.qsize() <= maxsize, `qsize ${queue.qsize()} over maxsize ${maxsize}`);
            const item = await queue.get(PATIENCE);
            const [name, i] = [item[0]!, Number(item.slice(1))];
            assert.equal(i, seen[name]! + 1, `${name}'s items in order`);
            seen[name] = i;
          }
          await producers;
          assert.ok(queue.peak <= maxsize, `peak ${queue.peak} over maxsize ${maxsize}`);
          assert.equal(queue.qsize(), 0);
        } finally {
          await a.close();
          await b.close();
        }
      });
    }
  },
);

describe('producer processes', WORKER_SUITE, () => {
  test('a producer that returns right after its last put: every item arrives, in order', async () => {
    const queue = new Queue<number>();
    const count = 5_000;
    const party = startParty('process', putCount, [queue, count]);
    await party.join();
    assert.deepEqual(
      drain(queue),
      Array.from({ length: count }, (_, i) => i),
    );
  });

  test('killed (SIGKILL) holding credits: they come back, a waiting putter is admitted, nothing it put is lost', async () => {
    const count = 20;
    const queue = new Queue<number | string>(count + 1);
    const ready = new Event();
    const party = startParty('process', putThenHang, [queue, count, ready]);
    assert.equal(await ready.wait(PATIENCE), true);
    // The puts travel on the queue's link, the word on the event's: they may come after it.
    await eventually(() => queue.qsize() === count, 'every put arrived');
    assert.equal(queue.full(), true, 'the last slot is reserved for the producer');
    const local = queue.put('local', PATIENCE);
    await killParty(party);
    await local;
    assert.deepEqual(drain(queue), [...Array.from({ length: count }, (_, i) => i), 'local']);
  });
});
