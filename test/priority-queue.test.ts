// PriorityQueue: stable for equal priorities, custom comparators, Python-like ordering of
// tuple-like arrays, and items that cannot be ordered (refused at the put, nothing stored).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { naturalOrder, PriorityQueue, RuntimeError } from '../src/index.js';
import { assertBlocks, TEST_OPTIONS, track } from './contracts/queue-contract-support.js';

interface Job {
  priority: number;
  seq: number;
}

/** 1000 jobs over a few priorities, in a scrambled but fixed order. */
function scrambledJobs(): Job[] {
  return Array.from({ length: 1000 }, (_, seq) => ({ priority: (seq * 7919) % 5, seq }));
}

/** Asserts that jobs come out grouped by ascending priority, each group in put order. */
function assertStableOrder(taken: Job[]): void {
  for (let i = 1; i < taken.length; i++) {
    const [a, b] = [taken[i - 1]!, taken[i]!];
    assert.ok(
      a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq),
      `position ${i}: ${JSON.stringify(a)} came out before ${JSON.stringify(b)}`,
    );
  }
}

function drainAll<T>(queue: PriorityQueue<T>): T[] {
  const items: T[] = [];
  while (!queue.empty()) items.push(queue.getNowait());
  return items;
}

describe('PriorityQueue stability', () => {
  it('1000 jobs with equal priorities come out grouped by priority, each group in put order', () => {
    const queue = new PriorityQueue<Job>(0, (a, b) => a.priority - b.priority);
    const jobs = scrambledJobs();
    for (const job of jobs) queue.putNowait(job);
    const taken = drainAll(queue);
    assert.equal(taken.length, jobs.length);
    assertStableOrder(taken);
  });

  it('equal items stay in put order when gets are interleaved with puts', () => {
    const queue = new PriorityQueue<Job>(0, (a, b) => a.priority - b.priority);
    const jobs = scrambledJobs();
    const taken: Job[] = [];
    for (const [i, job] of jobs.entries()) {
      queue.putNowait(job);
      if (i % 3 === 2) taken.push(queue.getNowait());
    }
    // Among the jobs of one priority, each get returns the oldest one still stored.
    const remaining = drainAll(queue);
    for (const priority of [0, 1, 2, 3, 4]) {
      const out = [...taken, ...remaining].filter((j) => j.priority === priority);
      const seqs = out.map((j) => j.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `priority ${priority}`,
      );
    }
    assertStableOrder(remaining);
  });

  it('without a comparator, equal arrays come out in put order', () => {
    const queue = new PriorityQueue<[number, string]>();
    const items = Array.from({ length: 300 }, (_, i) => [i % 3, 'same'] as [number, string]);
    for (const item of items) queue.putNowait(item);
    const taken = drainAll(queue);
    const expected = [0, 1, 2].flatMap((p) => items.filter((item) => item[0] === p));
    // Identity, not equality: the very same array objects, in the same order.
    assert.ok(taken.every((item, i) => item === expected[i]));
  });
});

describe('PriorityQueue ordering', () => {
  it('numbers come out smallest first', () => {
    const queue = new PriorityQueue<number>();
    for (const item of [5, -1, 3.5, 0, 10, 3]) queue.putNowait(item);
    assert.deepEqual(drainAll(queue), [-1, 0, 3, 3.5, 5, 10]);
  });

  it('strings and bigints are ordered by <', () => {
    const words = new PriorityQueue<string>();
    for (const w of ['pear', 'apple', 'Zebra', 'fig']) words.putNowait(w);
    assert.deepEqual(drainAll(words), ['Zebra', 'apple', 'fig', 'pear']);
    const big = new PriorityQueue<bigint>();
    for (const b of [10n ** 20n, 3n, -7n]) big.putNowait(b);
    assert.deepEqual(drainAll(big), [-7n, 3n, 10n ** 20n]);
  });

  it('arrays are ordered element by element, like Python tuples', () => {
    const queue = new PriorityQueue<unknown[]>();
    const items = [
      [2, 'b'],
      [1, 'z'],
      [2, 'a'],
      [1, 'y'],
      [1],
      [1, 'y', 0],
      [0, [5, 'q']],
      [0, [4]],
    ];
    for (const item of items) queue.putNowait(item);
    assert.deepEqual(drainAll(queue), [
      [0, [4]],
      [0, [5, 'q']],
      [1],
      [1, 'y'],
      [1, 'y', 0],
      [1, 'z'],
      [2, 'a'],
      [2, 'b'],
    ]);
  });

  it('arrays whose later elements cannot be compared are fine while earlier ones decide', () => {
    const queue = new PriorityQueue<[number, object]>();
    const [a, b, c] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    queue.putNowait([3, c]);
    queue.putNowait([1, a]);
    queue.putNowait([2, b]);
    assert.deepEqual(
      drainAll(queue).map(([, job]) => job),
      [a, b, c],
    );
  });

  it('a custom comparator decides the order', () => {
    const largestFirst = new PriorityQueue<number>(0, (a, b) => b - a);
    for (const item of [1, 5, 3]) largestFirst.putNowait(item);
    assert.deepEqual(drainAll(largestFirst), [5, 3, 1]);
    const byDeadline = new PriorityQueue<{ deadline: number; id: string }>(
      0,
      (a, b) => a.deadline - b.deadline,
    );
    byDeadline.putNowait({ deadline: 30, id: 'late' });
    byDeadline.putNowait({ deadline: 10, id: 'soon' });
    byDeadline.putNowait({ deadline: 20, id: 'next' });
    assert.deepEqual(
      drainAll(byDeadline).map((job) => job.id),
      ['soon', 'next', 'late'],
    );
  });

  it('a comparator that is not a function throws TypeError', () => {
    assert.throws(() => new PriorityQueue(0, 'desc' as never), TypeError);
  });

  it('naturalOrder compares like Python and refuses what Python refuses', () => {
    assert.ok(naturalOrder(1, 2) < 0);
    assert.ok(naturalOrder('b', 'a') > 0);
    assert.equal(naturalOrder([1, 'a'], [1, 'a']), 0);
    assert.ok(naturalOrder([1], [1, 0]) < 0);
    assert.throws(() => naturalOrder(1, '1'), TypeError);
    assert.throws(() => naturalOrder({}, {}), TypeError);
    assert.throws(() => naturalOrder(null, 1), TypeError);
    assert.throws(() => naturalOrder([1, {}], [1, {}]), TypeError);
  });
});

describe('PriorityQueue items that cannot be ordered', () => {
  it(
    'a put that cannot be ordered rejects with TypeError, storing and counting nothing',
    TEST_OPTIONS,
    async () => {
      const queue = new PriorityQueue<unknown>();
      await queue.put(1);
      for (const bad of [{}, 'one', null, [1]]) {
        let promise: Promise<void> | undefined;
        assert.doesNotThrow(() => {
          promise = queue.put(bad);
        }, 'put returns a rejected promise, it does not throw');
        await assert.rejects(promise!, TypeError);
        assert.throws(() => queue.putNowait(bad), TypeError);
        assert.equal(queue.qsize(), 1);
      }
      assert.equal(queue.getNowait(), 1);
      queue.taskDone();
      assert.equal(
        await queue.join({ timeout: 0 }),
        true,
        'refused items must not count as unfinished',
      );
      assert.throws(() => queue.taskDone(), RuntimeError);
    },
  );

  it('a put refused deep in the heap leaves every stored item in place, once', () => {
    const queue = new PriorityQueue<[number, unknown]>();
    // Put in ascending order, so every item stays where it lands: [5,'b'] is the parent of
    // [9,'x'], which is the parent of the slot the next item takes.
    const stored: [number, unknown][] = [
      [0, 'a'],
      [5, 'b'],
      [6, 'c'],
      [9, 'x'],
      [9, 'y'],
      [9, 'z'],
      [9, 'w'],
    ];
    for (const item of stored) queue.putNowait(item);
    // Orders below [9,'x'] and after the root, but ties [5,'b'] and then cannot compare {} with 'b'.
    assert.throws(() => queue.putNowait([5, {}]), TypeError);
    assert.equal(queue.qsize(), stored.length);
    assert.deepEqual(drainAll(queue), [...stored].sort(naturalOrder));
  });

  it(
    'a waiting putter whose item cannot be ordered is refused when admitted; the next is admitted',
    TEST_OPTIONS,
    async () => {
      const queue = new PriorityQueue<unknown>(2);
      await queue.put(1);
      await queue.put(2);
      const bad = track(queue.put({}));
      const good = track(queue.put(3));
      await assertBlocks(good, 'a put into a full queue');
      assert.equal(queue.getNowait(), 1);
      await assert.rejects(bad.promise, TypeError);
      await good.promise;
      assert.deepEqual(drainAll(queue), [2, 3]);
      for (let i = 0; i < 3; i++) queue.taskDone();
      assert.equal(await queue.join({ timeout: 0 }), true);
      assert.throws(() => queue.taskDone(), RuntimeError);
    },
  );
});

it('a get that meets two items that cannot be ordered rejects and leaves every item in place', async () => {
  // Each put compares only along its own path, so [5,'b'] and [5,{}] can both get in; the
  // removal that must order them fails as a whole instead of losing or duplicating an item.
  const q = new PriorityQueue<[number, unknown]>();
  q.putNowait([0, 'a']);
  q.putNowait([5, 'b']);
  q.putNowait([5, {}]);
  // Taking [0,'a'] out means choosing between the other two, which cannot be ordered.
  await assert.rejects(q.get(), TypeError);
  assert.throws(() => q.getNowait(), TypeError);
  assert.equal(q.qsize(), 3, 'nothing was taken by the failed gets');
  // With a comparable replacement for the top, the heap is intact: [0,'a'] is still first.
  q.putNowait([-1, 'z']);
  assert.deepEqual(q.getNowait(), [-1, 'z']);
});
