// Weft primitives passed to child processes arrive as working handles on the same objects,
// served by their owner over a local socket. After CPython's test_multiprocessing (queues with
// task_done/join, locks, events, semaphores, barriers shared with children), plus what weft
// adds: a handle passes on to a grandchild, and a handle whose owner is gone fails clearly.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Barrier,
  disconnect,
  Event,
  HandleClosedError,
  Lock,
  Process,
  Queue,
  QueueEmpty,
  type QueueHandle,
  Semaphore,
  Thread,
} from '../src/index.js';
import {
  buyTickets,
  cancelRaces,
  consume,
  getUntilOwnerGone,
  getWithTimeouts,
  holdPermit,
  meet,
  ownQueue,
  passOn,
  putAll,
  putOne,
  setEvent,
  waitForEvents,
} from './fixtures/process-targets.js';
import { CHILD_TEST, shareChildLimit } from './support/child-budget.js';
import { endProcesses, run, started } from './support/process-helpers.js';

// How long a child may take, from what starting one costs here now (a busy machine waits longer);
// the children's own waits (test/fixtures/process-targets.ts) are the same.
const waitMs = await shareChildLimit(10_000);
const LIMIT = CHILD_TEST;
const WAIT = { timeout: waitMs };

const threads: Thread[] = [];
const dirs: string[] = [];
after(async () => {
  await endProcesses();
  await Promise.all(threads.map((thread) => (thread.isAlive() ? thread.terminate() : undefined)));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('Process handles: primitives shared with children', () => {
  test(
    'a Queue between a producer and a consumer child, with taskDone and join',
    LIMIT,
    async () => {
      const queue = new Queue<number>(5);
      const producer = started(new Process(putAll, { args: [queue, 100] }));
      const consumer = started(new Process(consume, { args: [queue] }));
      assert.equal(await producer.join(WAIT), true);
      assert.equal(producer.result, 100);
      // Every item was taken and marked done by the consumer, through its handle.
      assert.equal(await queue.join(WAIT), true);
      assert.equal(queue.qsize(), 0);
      queue.shutdown();
      assert.equal(await consumer.join(WAIT), true);
      assert.deepEqual(
        consumer.result,
        Array.from({ length: 100 }, (_, i) => i),
      );
    },
  );

  test('a Lock keeps a ticket counter right while three children update it', LIMIT, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-tickets-'));
    dirs.push(dir);
    const file = join(dir, 'sold');
    await writeFile(file, '0');
    const lock = new Lock();
    const buyers = [1, 2, 3].map((n) =>
      started(new Process(buyTickets, { args: [lock, file, 10], name: `buyer-${n}` })),
    );
    for (const buyer of buyers) assert.equal(await buyer.join(WAIT), true);
    assert.deepEqual(
      buyers.map((buyer) => [buyer.exitCode, buyer.result]),
      [
        [0, 10],
        [0, 10],
        [0, 10],
      ],
    );
    assert.equal(await readFile(file, 'utf8'), '30');
    assert.equal(lock.locked(), false);
  });

  test(
    'an Event set by a child wakes the parent; a child waits on the parent’s',
    LIMIT,
    async () => {
      const fromChild = new Event();
      const setter = started(new Process(setEvent, { args: [fromChild], name: 'setter' }));
      assert.equal(await fromChild.wait(WAIT), true);
      assert.equal(await setter.join(WAIT), true);
      assert.equal(setter.result, 'setter');

      const fromParent = new Event();
      const never = new Event();
      const waiter = started(new Process(waitForEvents, { args: [fromParent, never] }));
      fromParent.set();
      assert.equal(await waiter.join(WAIT), true);
      assert.deepEqual(waiter.result, [true, false, true]);
      assert.equal(never.isSet(), false);
    },
  );

  test('a Semaphore(2) lets two of three children hold a permit at once', LIMIT, async () => {
    const sem = new Semaphore(2);
    const entered = new Queue<string>();
    const go = new Event();
    const holders = [1, 2, 3].map((n) =>
      started(new Process(holdPermit, { args: [sem, entered, go], name: `holder-${n}` })),
    );
    const first = [await entered.get(WAIT), await entered.get(WAIT)];
    assert.equal(sem.value, 0);
    // The third holder cannot enter while the first two keep their permits.
    await assert.rejects(entered.get({ timeout: 100 }), QueueEmpty);
    go.set();
    const third = await entered.get(WAIT);
    for (const holder of holders) assert.equal(await holder.join(WAIT), true);
    assert.deepEqual(
      holders.map((holder) => holder.result),
      ['held', 'held', 'held'],
    );
    assert.deepEqual([...first, third].sort(), ['holder-1', 'holder-2', 'holder-3']);
    assert.equal(sem.value, 2);
  });

  test(
    'a Barrier(3) releases three children together, generation after generation',
    LIMIT,
    async () => {
      const barrier = new Barrier(3);
      const children = [1, 2, 3].map(() => started(new Process(meet, { args: [barrier, 3] })));
      for (const child of children) assert.equal(await child.join(WAIT), true);
      const indices = children.map((child) => child.result as number[]);
      for (let round = 0; round < 3; round++) {
        assert.deepEqual(
          indices.map((each) => each[round]).sort(),
          [0, 1, 2],
          `round ${round}: ${JSON.stringify(indices)}`,
        );
      }
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    },
  );

  test(
    'a handle passes on from a child to a grandchild, reaching the same queue',
    LIMIT,
    async () => {
      const queue = new Queue<unknown>();
      const child = await run(new Process(passOn, { args: [queue, 'hello'], name: 'child' }));
      const report = child.result as { grandchildPid: number; result: number; exitCode: number };
      assert.equal(report.exitCode, 0);
      assert.equal(report.result, report.grandchildPid);
      assert.notEqual(report.grandchildPid, child.pid);
      const item = await queue.get({ timeout: 0 });
      assert.deepEqual(item, { value: 'hello', from: 'grandchild', parent: child.pid });
    },
  );

  test(
    'a handle in a nested argument crosses too, and one primitive twice is one queue',
    LIMIT,
    async () => {
      const queue = new Queue<unknown>();
      const child = await run(new Process(putOne, { args: [queue, { again: [queue] }] }));
      assert.equal(child.exitCode, 0, String(child.exception));
      const item = (await queue.get({ timeout: 0 })) as {
        value: { again: QueueHandle<unknown>[] };
      };
      // The inner queue came back to its owner as a handle on the same queue.
      const again = item.value.again[0]!;
      await again.put('through the returned handle');
      assert.equal(await queue.get({ timeout: 0 }), 'through the returned handle');
      disconnect(again);
    },
  );
});

describe('Process handles: cancelled waits and owners that go away', () => {
  test('gets that time out leave every item for a later get', LIMIT, async () => {
    const queue = new Queue<number>();
    const timedOut = new Event();
    const child = started(new Process(getWithTimeouts, { args: [queue, 20, timedOut] }));
    assert.equal(await timedOut.wait(WAIT), true);
    for (let i = 0; i < 20; i++) {
      queue.putNowait(i);
      await sleep(1);
    }
    assert.equal(await child.join(WAIT), true);
    const { items, timeouts } = child.result as { items: number[]; timeouts: number };
    assert.deepEqual(
      items,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.ok(timeouts >= 1);
    assert.equal(queue.qsize(), 0);
  });

  test(
    'a get cancelled by its signal either got the item or left it in the queue',
    LIMIT,
    async () => {
      const queue = new Queue<number>();
      const child = await run(new Process(cancelRaces, { args: [queue, 30] }));
      assert.equal(child.exitCode, 0, String(child.exception));
      const { got, left, cancelled } = child.result as {
        got: number[];
        left: number[];
        cancelled: string[];
      };
      assert.deepEqual(
        [...got, ...left].sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i),
      );
      assert.equal(got.length + cancelled.length, 30);
      assert.equal(left.length, cancelled.length, 'each cancelled get left its item');
      // An abort that reaches the owner before the put always withdraws the get.
      const early = Array.from({ length: 10 }, (_, i) => `${3 * i}:early`);
      assert.deepEqual(
        cancelled.filter((entry) => entry.endsWith(':early')),
        early,
      );
      // One answered before the abort is kept: the item is not lost to a cancelled get.
      assert.ok(
        cancelled.every((entry) => !entry.endsWith(':late')),
        String(cancelled),
      );
      assert.equal(queue.qsize(), 0);
    },
  );

  test(
    'when a child that owns a queue is killed, the parent’s pending get rejects HandleClosedError',
    LIMIT,
    async () => {
      const mailbox = new Queue<unknown>();
      const owner = started(new Process(ownQueue, { args: [mailbox], name: 'owner' }));
      const remote = (await mailbox.get(WAIT)) as QueueHandle<string>;
      try {
        assert.equal(await remote.get(WAIT), 'from the owner');
        const pending = assert.rejects(remote.get(WAIT), (error: Error) => {
          assert.ok(error instanceof HandleClosedError, String(error));
          assert.match(error.message, /owner is gone/);
          return true;
        });
        await remote.qsize(); // answered after the get: it is parked at the owner
        await owner.kill();
        await pending;
        await assert.rejects(remote.put('late'), HandleClosedError);
      } finally {
        disconnect(remote);
      }
    },
  );

  test(
    'when a thread that owns a queue ends, a child’s pending get on it rejects HandleClosedError',
    LIMIT,
    async () => {
      // The thread's queue reaches this thread as a port handle; passed to a child process, this
      // thread relays the child's socket channel to the owner's port.
      const mailbox = new Queue<unknown>();
      const owner = new Thread(ownQueue, { args: [mailbox] });
      threads.push(owner);
      owner.start();
      const relayed = (await mailbox.get(WAIT)) as QueueHandle<string>;
      try {
        assert.equal(await relayed.get(WAIT), 'from the owner');
        const waiting = new Event();
        const child = started(new Process(getUntilOwnerGone, { args: [relayed, waiting] }));
        assert.equal(await waiting.wait(WAIT), true);
        await owner.terminate();
        assert.equal(await child.join(WAIT), true);
        const outcome = child.result as { name?: string; message?: string; got?: string };
        assert.equal(outcome.name, 'HandleClosedError', JSON.stringify(outcome));
        assert.match(outcome.message!, /owner is gone/);
      } finally {
        disconnect(relayed);
      }
    },
  );
});
