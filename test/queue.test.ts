// Task-scope queues: the shared queue contract for each kind, plus what only the in-process
// Queue promises (maxsize read again on every put, synchronous nowait calls, task kill).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CancelledError,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  SimpleQueue,
  spawn,
} from '../src/index.js';
import { type QueueImpl, type QueueLike, queueContract } from './contracts/queue-contract.js';
import {
  assertBlocks,
  SHORT_TIMEOUT_MS,
  TEST_OPTIONS,
  track,
} from './contracts/queue-contract-support.js';

/** The task-scope queues need no set-up or clean-up; each holds whatever item type a test uses. */
function taskScope(
  name: string,
  order: QueueImpl['order'],
  bounded: boolean,
  make: (maxsize?: number) => QueueLike<unknown>,
): QueueImpl {
  return {
    name,
    order,
    bounded,
    create: async <T>(maxsize?: number) => ({
      queue: make(maxsize) as QueueLike<T>,
      close: async () => {},
    }),
  };
}

queueContract(taskScope('Queue', 'fifo', true, (maxsize) => new Queue(maxsize)));
queueContract(taskScope('LifoQueue', 'lifo', true, (maxsize) => new LifoQueue(maxsize)));
queueContract(
  taskScope('PriorityQueue', 'priority', true, (maxsize) => new PriorityQueue(maxsize)),
);
queueContract(taskScope('SimpleQueue', 'fifo', false, () => new SimpleQueue()));

describe('Queue maxsize, read again on every put', () => {
  it('raising maxsize lets putNowait store at once', () => {
    const queue = new Queue<number>(1);
    queue.putNowait(1);
    assert.throws(() => queue.putNowait(2), QueueFull);
    queue.maxsize = 2;
    assert.equal(queue.full(), false);
    queue.putNowait(2);
    assert.equal(queue.full(), true);
    assert.throws(() => queue.putNowait(3), QueueFull);
  });

  it(
    'after raising maxsize, the next put admits the waiting putters ahead of itself',
    TEST_OPTIONS,
    async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const waiting = [track(queue.put('b')), track(queue.put('c'))];
      await assertBlocks(waiting[1]!, 'a put into a full queue');
      queue.maxsize = 4;
      queue.putNowait('d');
      await Promise.all(waiting.map((w) => w.promise));
      assert.deepEqual(
        [1, 2, 3, 4].map(() => queue.getNowait()),
        ['a', 'b', 'c', 'd'],
      );
    },
  );

  it(
    'after raising maxsize, the next get admits as many waiting putters as now fit',
    TEST_OPTIONS,
    async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const waiting = [track(queue.put('b')), track(queue.put('c')), track(queue.put('d'))];
      await assertBlocks(waiting[2]!, 'a put into a full queue');
      queue.maxsize = 2;
      assert.equal(queue.getNowait(), 'a');
      // Room for two: 'b' and 'c' come in, 'd' goes on waiting.
      await Promise.all([waiting[0]!.promise, waiting[1]!.promise]);
      await assertBlocks(waiting[2]!, 'the third putter');
      assert.equal(queue.qsize(), 2);
      assert.equal(queue.getNowait(), 'b');
      await waiting[2]!.promise;
      assert.deepEqual([queue.getNowait(), queue.getNowait()], ['c', 'd']);
    },
  );

  it(
    'lowering maxsize below qsize keeps the queue full until enough items are taken',
    TEST_OPTIONS,
    async () => {
      const queue = new Queue<number>(3);
      for (const item of [1, 2, 3]) await queue.put(item);
      assert.throws(() => queue.putNowait(4), QueueFull);
      assert.equal(queue.qsize(), 3);
      queue.maxsize = 2;
      assert.equal(queue.full(), true);
      assert.throws(() => queue.putNowait(4), QueueFull);
      queue.getNowait();
      assert.throws(() => queue.putNowait(4), QueueFull, 'two items still fill maxsize 2');
      await assert.rejects(queue.put(4, { timeout: SHORT_TIMEOUT_MS }), QueueFull);
      queue.getNowait();
      queue.putNowait(4);
      assert.deepEqual([queue.getNowait(), queue.getNowait()], [3, 4]);
    },
  );

  it('maxsize 0 or below means unbounded', () => {
    for (const maxsize of [0, -1, -100]) {
      const queue = new Queue<number>(maxsize);
      for (let i = 0; i < 1000; i++) queue.putNowait(i);
      assert.equal(queue.full(), false);
      assert.equal(queue.qsize(), 1000);
    }
    assert.equal(new Queue().maxsize, 0);
  });

  // (It used to hold the next whole number of items; a count is an integer or a mistake.)
  it('a fractional maxsize is refused with a TypeError', () => {
    assert.throws(() => new Queue<number>(1.3), /maxsize must be an integer/);
  });

  it('a maxsize that is not a number throws TypeError', () => {
    assert.throws(() => new Queue('3' as unknown as number), TypeError);
    assert.throws(() => new Queue(Number.NaN), TypeError);
    assert.throws(() => new LifoQueue(null as unknown as number), TypeError);
    assert.throws(() => new PriorityQueue({} as unknown as number), TypeError);
  });

  it('SimpleQueue has no bound', () => {
    const queue = new SimpleQueue<number>();
    assert.equal(queue.maxsize, 0);
    for (let i = 0; i < 1000; i++) queue.putNowait(i);
    assert.equal(queue.full(), false);
    assert.equal(queue.getNowait(), 0);
  });
});

describe('Queue calling conventions', () => {
  it('putNowait and getNowait throw synchronously', () => {
    const queue = new Queue<number>(1);
    assert.throws(() => queue.getNowait(), QueueEmpty);
    queue.putNowait(1);
    assert.throws(() => queue.putNowait(2), QueueFull);
    queue.shutdown(true);
    assert.throws(() => queue.putNowait(3), QueueShutDown);
    assert.throws(() => queue.getNowait(), QueueShutDown);
  });

  it('put, get and join never throw synchronously, whatever their options', async () => {
    const queue = new Queue<number>();
    const calls: [() => Promise<unknown>, ErrorConstructor][] = [
      [() => queue.put(1, { timeout: -1 }), RangeError],
      [() => queue.get(null as never), TypeError],
      [() => queue.get(5 as never), TypeError],
      [() => queue.join({ signal: 'stop' as never }), TypeError],
    ];
    for (const [call, error] of calls) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = call();
      });
      await assert.rejects(promise!, error);
    }
    assert.equal(queue.qsize(), 0);
  });

  it('errors are named after their class and say which call failed', async () => {
    const queue = new Queue<number>(1);
    const empty = await queue.get({ timeout: 0 }).catch((err: Error) => err);
    assert.ok(empty instanceof QueueEmpty);
    assert.equal(empty.name, 'QueueEmpty');
    assert.match(empty.message, /Queue\.get/);
    queue.putNowait(1);
    const full = (() => {
      try {
        queue.putNowait(2);
      } catch (err) {
        return err as Error;
      }
    })();
    assert.ok(full instanceof QueueFull);
    assert.equal(full.name, 'QueueFull');
    assert.match(full.message, /putNowait/);
    queue.shutdown();
    const shut = await queue.put(3).catch((err: Error) => err);
    assert.ok(shut instanceof QueueShutDown);
    assert.match(shut.message, /Queue\.put/);
  });
});

describe('Queue inside a task', () => {
  it('killing a task ends its waiting get and takes no item', TEST_OPTIONS, async () => {
    const queue = new Queue<string>();
    const task = spawn(() => queue.get());
    await assertBlocks(track(Promise.resolve(task)), 'a get inside a task');
    await task.kill();
    assert.ok(task.exception instanceof CancelledError);
    queue.putNowait('a');
    assert.equal(queue.qsize(), 1, 'the killed get must not take the item');
  });

  it('killing a task ends its waiting put and stores nothing', TEST_OPTIONS, async () => {
    const queue = new Queue<string>(1);
    queue.putNowait('a');
    const task = spawn(() => queue.put('b'));
    await assertBlocks(track(Promise.resolve(task)), 'a put inside a task');
    await task.kill();
    assert.ok(task.exception instanceof CancelledError);
    assert.equal(queue.getNowait(), 'a');
    assert.equal(queue.qsize(), 0, 'the killed put must not be admitted');
  });
});
