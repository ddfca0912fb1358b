// Task identity: which task code runs in (it follows the async call chain), and how killing a task
// ends the weft waits it is parked in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Barrier,
  CancelledError,
  Condition,
  currentTask,
  Event,
  Lock,
  RLock,
  Semaphore,
  spawn,
  type Task,
} from '../src/index.js';
import {
  abortListeners,
  Cancelled,
  gate,
  TEST_OPTIONS,
  taskObservers,
  tick,
  track,
  until,
} from './support/async-helpers.js';

describe('task identity', TEST_OPTIONS, () => {
  test('currentTask is the running task, through awaits, timers and promise callbacks', async () => {
    const seen: (Task | undefined)[] = [];
    const task = spawn(async () => {
      seen.push(currentTask());
      await Promise.resolve();
      seen.push(currentTask());
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(currentTask());
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push(currentTask());
          resolve();
        }),
      );
      await Promise.resolve().then(() => seen.push(currentTask()));
    });
    await task;
    assert.equal(seen.length, 5);
    for (const identity of seen) assert.equal(identity, task);
  });

  test('separate spawned tasks have separate identities', async () => {
    const tasks = Array.from({ length: 3 }, () =>
      spawn(async () => {
        const before = currentTask();
        await new Promise<void>((resolve) => setImmediate(resolve));
        return [before, currentTask()];
      }),
    );
    const results = await Promise.all(tasks);
    results.forEach(([before, after], i) => {
      assert.equal(before, tasks[i]);
      assert.equal(after, tasks[i], 'interleaving did not mix identities');
    });
    assert.equal(new Set(tasks.map((t) => t.id)).size, 3);
  });

  test('a task spawned inside a task gets an identity of its own', async () => {
    // Tasks are thenables, so they travel wrapped: a task resolving to itself would wait forever.
    const outer = spawn(async () => {
      const inner = spawn(async () => ({ task: currentTask() }));
      const innerSaw = (await inner).task;
      return { inner, innerSaw, outerAfter: currentTask() };
    });
    const { inner, innerSaw, outerAfter } = await outer;
    assert.equal(innerSaw, inner);
    assert.notEqual(inner, outer);
    assert.equal(outerAfter, outer, 'the outer task is still itself after the inner one ran');
  });

  test('a task that awaits or returns itself fails with RuntimeError instead of hanging', async () => {
    const returnsItself = spawn(async () => currentTask());
    await assert.rejects(Promise.resolve(returnsItself), {
      name: 'RuntimeError',
      message: /awaited itself/,
    });
    const awaitsItself = spawn(async () => {
      await currentTask();
    });
    await assert.rejects(Promise.resolve(awaitsItself), {
      name: 'RuntimeError',
      message: /awaited itself/,
    });
    assert.equal(awaitsItself.successful(), false);
  });

  test('plain code outside any task has no task, not even in callbacks it schedules', async () => {
    assert.equal(currentTask(), undefined);
    await Promise.resolve();
    assert.equal(currentTask(), undefined);
    await spawn(async () => {});
    assert.equal(currentTask(), undefined, 'awaiting a task does not adopt its identity');
    const inTimer = await new Promise((resolve) => setTimeout(() => resolve(currentTask()), 1));
    assert.equal(inTimer, undefined);
  });
});

describe('killing a task ends its weft waits', TEST_OPTIONS, () => {
  /** Spawns `park` as a task, waits until it is parked, kills it and checks it ended with the reason. */
  const killWhileParked = async (park: () => Promise<unknown>) => {
    const task = spawn(park);
    // A weft wait parked inside the task listens on the task's signal.
    await until(() => taskObservers(task) === 1, 'the task is parked');
    await tick();
    assert.equal(task.ready(), false, 'the task is still waiting');
    const reason = new Cancelled('killed');
    await task.kill(reason);
    assert.equal(task.exception, reason);
    assert.equal(taskObservers(task), 0, 'the wait dropped its listener on the task signal');
  };

  test('a Lock acquire rejects with the kill reason, and the next waiter is served', async () => {
    const lock = new Lock();
    await lock.acquire();
    await killWhileParked(() => lock.acquire());
    const next = track(spawn(() => lock.acquire()));
    lock.release();
    assert.equal(
      await next.promise,
      true,
      'the lock went to the next waiter, not to the killed one',
    );
    lock.release();
    assert.equal(lock.locked(), false, 'no waiter was left queued');
  });

  test('an RLock acquire rejects with the kill reason and leaves nothing queued', async () => {
    const rlock = new RLock();
    const release = gate();
    const holder = spawn(async () => {
      await rlock.acquire();
      await release.opened;
      rlock.release();
    });
    await until(() => rlock.locked(), 'the holder holds the RLock');
    await killWhileParked(() => rlock.acquire());
    release.open();
    await holder;
    assert.equal(rlock.locked(), false);
  });

  test('Semaphore, Event and Barrier waits reject with the kill reason and leave no trace', async () => {
    const sem = new Semaphore(0);
    await killWhileParked(() => sem.acquire());
    sem.release();
    assert.equal(sem.value, 1, 'the permit was not handed to the killed task');

    const event = new Event();
    await killWhileParked(() => event.wait());

    const barrier = new Barrier(2);
    await killWhileParked(() => barrier.wait());
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false, 'a killed party leaves like an aborted one');
  });

  test('a Condition wait rejects with the kill reason only after taking the lock back', async () => {
    const cond = new Condition();
    const task = spawn(async () => {
      await cond.acquire();
      try {
        await cond.wait();
      } finally {
        cond.release(); // throws RuntimeError, hiding the kill reason, if the lock was not taken back
      }
    });
    await until(() => !cond.locked(), 'the task waits');
    await cond.acquire();
    const reason = new Cancelled('killed');
    const killed = track(task.kill(reason));
    await tick(3);
    assert.equal(killed.state, 'pending', 'the wait needs the lock back before it ends');
    cond.release();
    await killed.promise;
    assert.equal(task.exception, reason);
    assert.equal(cond.locked(), false);
    await cond.acquire();
    cond.notify();
    cond.release();
    assert.equal(cond.locked(), false, 'no waiter was left to take the notification');
  });

  test('a kill while a notified Condition wait takes the lock back does not interrupt it', async () => {
    const cond = new Condition();
    const lock = new Lock();
    await lock.acquire();
    const log: string[] = [];
    const task = spawn(async () => {
      await cond.acquire();
      try {
        log.push(`wait returned ${await cond.wait()}`);
        await lock.acquire(); // the next blocking call sees the kill
        log.push('not reached');
      } finally {
        cond.release();
      }
    });
    await until(() => !cond.locked(), 'the task waits');
    await cond.acquire();
    cond.notify();
    const reason = new Cancelled('killed');
    const killed = task.kill(reason);
    cond.release();
    await killed;
    assert.deepEqual(log, ['wait returned true']);
    assert.equal(task.exception, reason);
    assert.equal(cond.locked(), false);
  });

  test('the default kill reason is a CancelledError, and a user signal loses its listener too', async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const task = spawn(() => lock.acquire({ signal: controller.signal }));
    await until(() => abortListeners(controller.signal) === 1, 'the task waits');
    await task.kill();
    assert.ok(task.exception instanceof CancelledError);
    assert.equal(abortListeners(controller.signal), 0);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('killing one task leaves the waits of other tasks alone', async () => {
    const event = new Event();
    const victim = spawn(() => event.wait());
    const bystander = spawn(() => event.wait());
    await tick(2);
    await victim.kill();
    assert.equal(bystander.ready(), false);
    event.set();
    assert.equal(await bystander, true);
  });

  test('waits that end normally leave no listener on the task signal', async () => {
    const lock = new Lock();
    const event = new Event();
    let signal: AbortSignal | undefined;
    const task = spawn(async () => {
      const self = currentTask()!;
      signal = self.signal;
      await lock.acquire();
      lock.release();
      await event.wait({ timeout: 5 });
      const waiting = event.wait();
      assert.equal(taskObservers(self), 1, 'a parked wait observes the task');
      event.set();
      await waiting;
    });
    await task;
    assert.equal(abortListeners(signal!), 0);
  });
});
