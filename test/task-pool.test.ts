// TaskPool: gevent's Pool — at most `size` tasks at once, FIFO slots, cancellation of queued work,
// join, kill, waitAvailable. map/imap/imapUnordered are in task-pool-map.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledError, currentTask, Event, joinAll, spawn, TaskPool } from '../src/index.js';
import {
  abortListeners,
  Cancelled,
  TEST_OPTIONS,
  taskObservers,
  tick,
  track,
  until,
} from './support/async-helpers.js';

/** Counts how many calls run at once, and the most there ever were. */
function concurrency() {
  const stats = { now: 0, max: 0 };
  const run = async <T>(value: T, wait: () => Promise<unknown> = () => tick()): Promise<T> => {
    stats.now++;
    stats.max = Math.max(stats.max, stats.now);
    try {
      await wait();
      return value;
    } finally {
      stats.now--;
    }
  };
  return { stats, run };
}

describe('TaskPool', TEST_OPTIONS, () => {
  test('size must be an integer >= 1 (or Infinity)', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '2' as never])
      assert.throws(() => new TaskPool(bad), RangeError);
    assert.equal(new TaskPool(Number.POSITIVE_INFINITY).free, Number.POSITIVE_INFINITY);
    assert.equal(new TaskPool(3).size, 3);
  });

  test('runs at most size tasks at once, starting them in spawn order', async () => {
    const pool = new TaskPool(3);
    const { stats, run } = concurrency();
    const started: number[] = [];
    const tasks = Array.from({ length: 10 }, (_, i) =>
      pool.spawn(async () => {
        started.push(i);
        return run(i, () => tick(2));
      }),
    );
    assert.equal(pool.free, 0);
    assert.equal(pool.running, 3);
    assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(stats.max, 3);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(pool.free, 3);
    assert.equal(pool.running, 0);
  });

  test('spawn returns the task at once; it never starts inside spawn()', async () => {
    const pool = new TaskPool(1);
    let ran = false;
    const task = pool.spawn(() => {
      ran = true;
      return { me: currentTask() }; // wrapped: a task returning itself would wait for itself
    });
    assert.equal(ran, false);
    assert.equal((await task).me, task, 'the function runs as the task');
  });

  test('a queued task killed before its turn never runs and leaves the queue', async () => {
    const pool = new TaskPool(1);
    const gate = new Event();
    const first = pool.spawn(() => gate.wait());
    let ran = false;
    const queued = pool.spawn(() => {
      ran = true;
    });
    const third = pool.spawn(() => 'third');
    const reason = new Cancelled('not needed');
    await queued.kill(reason);
    assert.equal(queued.exception, reason);
    gate.set();
    assert.equal(await third, 'third');
    await first;
    assert.equal(ran, false);
    assert.equal(await pool.join({ timeout: 0 }), true, 'nothing left queued');
  });

  test('failures stay in their tasks; the pool goes on', async () => {
    const pool = new TaskPool(2);
    const bad = pool.spawn(async () => {
      throw new Error('one bad task');
    });
    const good = pool.spawn(async () => 'good');
    await assert.rejects(Promise.resolve(bad), /one bad task/);
    assert.equal(await good, 'good');
    assert.equal(pool.free, 2);
  });

  test('join waits for every task, including tasks spawned while it waits; false on timeout', async () => {
    const pool = new TaskPool(2);
    const log: string[] = [];
    pool.spawn(async () => {
      await tick(2);
      pool.spawn(async () => {
        await tick(2);
        log.push('spawned later');
      });
      log.push('first');
    });
    assert.equal(await pool.join({ timeout: 0 }), false);
    assert.equal(await pool.join(), true);
    assert.deepEqual(log, ['first', 'spawned later']);
    assert.equal(await new TaskPool(1).join(), true, 'an empty pool');
    await assert.rejects(pool.join({ timeout: -1 }), RangeError);
  });

  test('waitAvailable resolves when a slot is free and nobody is queued (gevent wait_available)', async () => {
    const pool = new TaskPool(1);
    assert.equal(await pool.waitAvailable(), true);
    const gate = new Event();
    pool.spawn(() => gate.wait());
    pool.spawn(() => gate.wait());
    assert.equal(await pool.waitAvailable({ timeout: 5 }), false);
    const available = track(pool.waitAvailable());
    await tick(2);
    assert.equal(available.state, 'pending');
    gate.set();
    assert.equal(await available.promise, true);
    assert.equal(pool.free, 1);
  });

  test('waitAvailable gives producers backpressure', async () => {
    const pool = new TaskPool(2);
    const { stats, run } = concurrency();
    let queuedMax = 0;
    const producer = spawn(async () => {
      for (let i = 0; i < 20; i++) {
        await pool.waitAvailable();
        pool.spawn(run, i);
        queuedMax = Math.max(queuedMax, pool.running - pool.size);
      }
    });
    await producer;
    await pool.join();
    assert.equal(stats.max, 2);
    assert.equal(queuedMax, 0, 'the producer never ran ahead of the slots');
  });

  test('an aborted waitAvailable rejects with the reason and leaves no listener', async () => {
    const pool = new TaskPool(1);
    const gate = new Event();
    pool.spawn(() => gate.wait());
    const controller = new AbortController();
    const waiting = pool.waitAvailable({ signal: controller.signal });
    const reason = new Cancelled('stop');
    controller.abort(reason);
    await assert.rejects(waiting, reason);
    assert.equal(abortListeners(controller.signal), 0);
    gate.set();
    await pool.join();
  });

  test('kill kills running and queued tasks with the reason and resolves once they ended', async () => {
    const pool = new TaskPool(2);
    let queuedRan = false;
    const running = [pool.spawn(() => new Event().wait()), pool.spawn(() => new Event().wait())];
    const queued = pool.spawn(() => {
      queuedRan = true;
    });
    await until(() => running.every((t) => taskObservers(t) === 1), 'both run');
    const reason = new Cancelled('shutdown');
    await pool.kill(reason);
    for (const task of [...running, queued]) assert.equal(task.exception, reason);
    assert.equal(queuedRan, false);
    assert.equal(pool.running, 0);
    assert.equal(await pool.spawn(() => 'still usable'), 'still usable');
    const byDefault = pool.spawn(() => new Event().wait());
    await tick();
    await pool.kill();
    assert.ok(byDefault.exception instanceof CancelledError);
  });

  test('tasks that end synchronously do not grow the stack', async () => {
    const pool = new TaskPool(1);
    const tasks = Array.from({ length: 20_000 }, (_, i) => pool.spawn(() => i));
    await pool.join();
    assert.deepEqual((await joinAll(tasks)).length, 20_000);
    assert.equal(tasks[19_999]!.value, 19_999);
  });
});
