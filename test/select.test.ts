// select(queues): take exactly one item from the first queue that has one, waiting on all of
// them if none has; timeouts and aborts leave no getter behind; shut-down queues drop out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CancelledError,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueShutDown,
  select,
  spawn,
} from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import {
  abortListeners,
  assertBlocks,
  Cancelled,
  SHORT_TIMEOUT_MS,
  TEST_OPTIONS,
  track,
} from './contracts/queue-contract-support.js';

function queues(n: number): Queue<string>[] {
  return Array.from({ length: n }, () => new Queue<string>());
}

/** Every queue got a put after the select ended, and kept it: no branch of the select is left parked. */
function assertNoBranchLeft(all: Queue<string>[]): void {
  for (const [i, queue] of all.entries()) {
    // Not even a dead one: a loop of timed-out selects must not pile up parked getters.
    assert.equal(queue[GETTERS].length, 0, `queue ${i} still has a parked getter`);
    const before = queue.qsize();
    queue.putNowait(`after-${i}`);
    assert.equal(queue.qsize(), before + 1, `queue ${i} lost its item to a select that had ended`);
  }
}

describe('select takes an item that is already there', () => {
  it('from the first non-empty queue in the order given, leaving the others alone', async () => {
    const [a, b, c] = queues(3) as [Queue<string>, Queue<string>, Queue<string>];
    b.putNowait('b1');
    c.putNowait('c1');
    const selected = await select([a, b, c]);
    assert.equal(selected.queue, b);
    assert.equal(selected.item, 'b1');
    assert.deepEqual([a.qsize(), b.qsize(), c.qsize()], [0, 0, 1]);
    const again = await select([c, b, a]);
    assert.equal(again.queue, c);
    assert.equal(again.item, 'c1');
  });

  it(
    'in each queue’s own order, and the item counts as unfinished on its queue',
    TEST_OPTIONS,
    async () => {
      const stack = new LifoQueue<number>();
      const heap = new PriorityQueue<number>();
      for (const item of [1, 2, 3]) stack.putNowait(item);
      for (const item of [3, 1, 2]) heap.putNowait(item);
      assert.equal((await select([stack, heap])).item, 3);
      assert.equal((await select([heap, stack])).item, 1);
      const joiner = track(heap.join());
      for (let i = 0; i < 2; i++) heap.getNowait();
      heap.taskDone();
      heap.taskDone();
      await assertBlocks(joiner, 'join with the selected item not marked done');
      heap.taskDone();
      assert.equal(await joiner.promise, true);
    },
  );

  it('timeout 0 takes an item that is there, or rejects with QueueEmpty at once', async () => {
    const [a, b] = queues(2) as [Queue<string>, Queue<string>];
    await assert.rejects(select([a, b], { timeout: 0 }), QueueEmpty);
    assertNoBranchLeft([a, b]);
    assert.equal((await select([a, b], { timeout: 0 })).item, 'after-0');
  });

  it('drains a shut-down queue that still holds items', async () => {
    const [a, b] = queues(2) as [Queue<string>, Queue<string>];
    a.putNowait('left');
    a.shutdown();
    b.shutdown();
    assert.deepEqual(await select([a, b]), { queue: a, item: 'left' });
    await assert.rejects(select([a, b]), QueueShutDown);
  });
});

describe('select waits when every queue is empty', () => {
  it('takes the first item put into any of the queues', TEST_OPTIONS, async () => {
    const [a, b, c] = queues(3) as [Queue<string>, Queue<string>, Queue<string>];
    const selecting = track(select([a, b, c]));
    await assertBlocks(selecting, 'select on empty queues');
    c.putNowait('c1');
    assert.deepEqual(await selecting.promise, { queue: c, item: 'c1' });
    assertNoBranchLeft([a, b, c]);
  });

  it(
    'takes exactly one item when several queues receive items in the same tick',
    TEST_OPTIONS,
    async () => {
      const [a, b, c] = queues(3) as [Queue<string>, Queue<string>, Queue<string>];
      const selecting = track(select([a, b, c]));
      await assertBlocks(selecting, 'select on empty queues');
      b.putNowait('b1');
      a.putNowait('a1');
      c.putNowait('c1');
      assert.deepEqual(await selecting.promise, { queue: b, item: 'b1' });
      assert.deepEqual([a.getNowait(), c.getNowait()], ['a1', 'c1']);
      assert.deepEqual([a.qsize(), b.qsize(), c.qsize()], [0, 0, 0]);
    },
  );

  it(
    'waits its turn behind a getter that was parked on a queue before it',
    TEST_OPTIONS,
    async () => {
      const [a, b] = queues(2) as [Queue<string>, Queue<string>];
      const getter = track(a.get());
      const selecting = track(select([a, b]));
      await assertBlocks(selecting, 'select on empty queues');
      a.putNowait('first');
      assert.equal(await getter.promise, 'first');
      await assertBlocks(selecting, 'select behind the earlier getter');
      a.putNowait('second');
      assert.deepEqual(await selecting.promise, { queue: a, item: 'second' });
    },
  );

  it(
    'once served by one queue, leaves the others to the getters parked after it',
    TEST_OPTIONS,
    async () => {
      const [a, b] = queues(2) as [Queue<string>, Queue<string>];
      const selecting = track(select([a, b]));
      const later = track(a.get());
      await assertBlocks(later, 'a getter parked after the select');
      b.putNowait('b1');
      assert.deepEqual(await selecting.promise, { queue: b, item: 'b1' });
      a.putNowait('a1');
      assert.equal(await later.promise, 'a1');
    },
  );

  it(
    'accepts any iterable and the same queue twice, still taking one item',
    TEST_OPTIONS,
    async () => {
      const [a, b] = queues(2) as [Queue<string>, Queue<string>];
      const selecting = track(select(new Set([a, b, a]).values()));
      const twice = track(select([a, a]));
      await assertBlocks(twice, 'select on empty queues');
      a.putNowait('x');
      a.putNowait('y');
      assert.deepEqual(await selecting.promise, { queue: a, item: 'x' });
      assert.deepEqual(await twice.promise, { queue: a, item: 'y' });
      assertNoBranchLeft([a, b]);
    },
  );
});

describe('select gives up without a trace', () => {
  it('a timeout rejects with QueueEmpty and leaves no getter parked', TEST_OPTIONS, async () => {
    const all = queues(3);
    const selecting = track(select(all, { timeout: SHORT_TIMEOUT_MS }));
    await assertBlocks(selecting, 'select with a timeout', 1);
    await assert.rejects(selecting.promise, QueueEmpty);
    assertNoBranchLeft(all);
  });

  it(
    'an abort while waiting rejects with the reason and removes the listener and every getter',
    TEST_OPTIONS,
    async () => {
      const all = queues(2);
      const controller = new AbortController();
      const selecting = track(select(all, { signal: controller.signal }));
      await assertBlocks(selecting, 'select on empty queues');
      assert.equal(abortListeners(controller.signal), 1);
      const reason = new Cancelled();
      controller.abort(reason);
      await assert.rejects(selecting.promise, (err) => err === reason);
      assert.equal(abortListeners(controller.signal), 0);
      assertNoBranchLeft(all);
    },
  );

  it('an already aborted signal rejects without taking the item that is there', async () => {
    const [a, b] = queues(2) as [Queue<string>, Queue<string>];
    a.putNowait('kept');
    const reason = new Cancelled();
    await assert.rejects(
      select([a, b], { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(a.qsize(), 1);
    await assert.rejects(select([b], { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assertNoBranchLeft([b]);
  });

  it('a successful select removes its abort listener', TEST_OPTIONS, async () => {
    const [a] = queues(1) as [Queue<string>];
    const { signal } = new AbortController();
    const selecting = track(select([a], { signal, timeout: 1_000 }));
    await assertBlocks(selecting, 'select on an empty queue');
    a.putNowait('x');
    await selecting.promise;
    assert.equal(abortListeners(signal), 0);
  });

  it('killing the task that selects ends the wait and leaves no getter', TEST_OPTIONS, async () => {
    const all = queues(2);
    const task = spawn(() => select(all));
    await assertBlocks(track(Promise.resolve(task)), 'select inside a task');
    await task.kill();
    assert.ok(task.exception instanceof CancelledError);
    assertNoBranchLeft(all);
  });
});

describe('select and shutdown', () => {
  it('rejects with QueueShutDown when every queue is shut down and empty', async () => {
    const all = queues(2);
    for (const queue of all) queue.shutdown();
    await assert.rejects(select(all), QueueShutDown);
    await assert.rejects(select(all, { timeout: 0 }), QueueShutDown);
  });

  it('waits on the open queues when some are shut down and empty', TEST_OPTIONS, async () => {
    const [a, b] = queues(2) as [Queue<string>, Queue<string>];
    a.shutdown();
    const selecting = track(select([a, b]));
    await assertBlocks(selecting, 'select with one open queue');
    b.putNowait('b1');
    assert.deepEqual(await selecting.promise, { queue: b, item: 'b1' });
  });

  for (const immediate of [false, true]) {
    it(
      `a queue shut down (immediate ${immediate}) while waiting drops out; another still serves`,
      TEST_OPTIONS,
      async () => {
        const [a, b] = queues(2) as [Queue<string>, Queue<string>];
        const selecting = track(select([a, b]));
        await assertBlocks(selecting, 'select on empty queues');
        a.shutdown(immediate);
        await assertBlocks(selecting, 'select after one of its queues shut down');
        b.putNowait('b1');
        assert.deepEqual(await selecting.promise, { queue: b, item: 'b1' });
        assertNoBranchLeft([b]);
      },
    );
  }

  it(
    'rejects with QueueShutDown when the last open queue shuts down while waiting',
    TEST_OPTIONS,
    async () => {
      const all = queues(3);
      const selecting = track(select(all, { timeout: 1_000 }));
      await assertBlocks(selecting, 'select on empty queues');
      all[0]!.shutdown();
      all[2]!.shutdown(true);
      await assertBlocks(selecting, 'select with one queue still open');
      all[1]!.shutdown();
      await assert.rejects(selecting.promise, QueueShutDown);
    },
  );
});

describe('select arguments', () => {
  it('an empty list, a non-queue or a non-iterable rejects with TypeError', async () => {
    const [a] = queues(1) as [Queue<string>];
    await assert.rejects(select([]), TypeError);
    await assert.rejects(select([a, {} as Queue<string>]), TypeError);
    await assert.rejects(select([a, [] as unknown as Queue<string>]), TypeError);
    await assert.rejects(select(a as unknown as Queue<string>[]), TypeError);
    await assert.rejects(select(null as unknown as Queue<string>[]), TypeError);
    assertNoBranchLeft([a]);
  });

  it('bad options reject with TypeError or RangeError and take nothing', async () => {
    const [a] = queues(1) as [Queue<string>];
    a.putNowait('kept');
    await assert.rejects(select([a], { timeout: -1 }), RangeError);
    await assert.rejects(select([a], { timeout: Number.NaN }), TypeError);
    await assert.rejects(select([a], { signal: {} as AbortSignal }), TypeError);
    await assert.rejects(select([a], 'soon' as never), TypeError);
    assert.equal(a.qsize(), 1);
  });

  it('never throws synchronously', async () => {
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = select([]);
    });
    await assert.rejects(promise!, TypeError);
  });
});
