// joinAll: gevent's joinall — the finished tasks in the given order, timeouts, raiseError, aborts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Event, joinAll, sleep, spawn, type Task } from '../src/index.js';
import {
  abortListeners,
  Cancelled,
  TEST_OPTIONS,
  taskObservers,
  tick,
  track,
  until,
} from './support/async-helpers.js';

/** A task that returns `value` once `event` is set. */
const waitsFor = <T>(event: Event, value: T) =>
  spawn(async () => {
    await event.wait();
    return value;
  });

describe('joinAll', TEST_OPTIONS, () => {
  test('waits for every task and returns them in the order given, not the order they ended', async () => {
    const events = [new Event(), new Event(), new Event()];
    const tasks = events.map((event, i) => waitsFor(event, i));
    const joined = track(joinAll(tasks));
    events[2]!.set();
    events[0]!.set();
    await tick(2);
    assert.equal(joined.state, 'pending', 'one task is still running');
    events[1]!.set();
    const finished = await joined.promise;
    assert.deepEqual(finished, tasks);
    assert.deepEqual(
      finished.map((t) => t.value),
      [0, 1, 2],
    );
  });

  test('on timeout returns the tasks finished by then, in the order given; the others go on', async () => {
    const slow = new Event();
    const a = spawn(() => 'a');
    const b = waitsFor(slow, 'b');
    const c = spawn(async () => 'c');
    const finished = await joinAll([a, b, c], { timeout: 10 });
    assert.deepEqual(finished, [a, c]);
    assert.equal(b.ready(), false, 'joinAll never kills');
    slow.set();
    assert.equal(await b, 'b');
  });

  test('timeout 0 returns what has finished now without waiting', async () => {
    const a = spawn(() => 1);
    await a;
    const b = spawn(() => new Event().wait());
    assert.deepEqual(await joinAll([a, b], { timeout: 0 }), [a]);
    await b.kill();
  });

  test('an empty list, or tasks that all ended, resolve at once', async () => {
    assert.deepEqual(await joinAll([]), []);
    const done = spawn(() => 1);
    await done;
    assert.deepEqual(await joinAll(new Set([done])), [done], 'any iterable of tasks');
  });

  test('failures are returned like successes unless raiseError is set', async () => {
    const bad = spawn(async () => {
      throw new Error('bad');
    });
    const good = spawn(async () => 'good');
    assert.deepEqual(await joinAll([bad, good]), [bad, good]);
    assert.equal(bad.successful(), false);
  });

  test('raiseError rejects with the first failure as soon as it happens; the rest keep running', async () => {
    const never = new Event();
    const slow = waitsFor(never, 'slow');
    const failing = new Event();
    const error = new Error('first failure');
    const fails = spawn(async () => {
      await failing.wait();
      throw error;
    });
    const joined = track(joinAll([slow, fails], { raiseError: true }));
    await tick(2);
    assert.equal(joined.state, 'pending');
    failing.set();
    await assert.rejects(joined.promise, error);
    assert.equal(slow.ready(), false);
    await slow.kill();
  });

  test('raiseError: among tasks that already failed, the first in the order given wins', async () => {
    const first = new Error('first');
    const second = new Error('second');
    const a = spawn(async () => {
      await tick(2);
      throw second;
    });
    const b = spawn(async () => {
      throw first;
    });
    await joinAll([a, b]);
    await assert.rejects(joinAll([b, a], { raiseError: true }), first);
    await assert.rejects(joinAll([a, b], { raiseError: true }), second);
  });

  test("raiseError does not count a task's own kill as a failure", async () => {
    const killed = spawn(() => new Event().wait());
    const ok = spawn(async () => {
      await tick(2);
      return 'ok';
    });
    await tick();
    void killed.kill();
    assert.deepEqual(await joinAll([killed, ok], { raiseError: true }), [killed, ok]);
  });

  test('an aborted signal rejects with its reason and leaves no listener behind', async () => {
    const task = spawn(() => new Event().wait());
    const controller = new AbortController();
    const joined = joinAll([task], { signal: controller.signal });
    assert.equal(abortListeners(controller.signal), 1);
    const reason = new Cancelled('enough');
    controller.abort(reason);
    await assert.rejects(joined, reason);
    assert.equal(abortListeners(controller.signal), 0);
    await assert.rejects(joinAll([task], { signal: controller.signal }), reason);
    await task.kill();
  });

  test('inside a task, a kill of the joining task ends the wait', async () => {
    const target = spawn(() => new Event().wait());
    const joiner = spawn(() => joinAll([target]));
    await until(() => taskObservers(joiner) === 1, 'the joiner waits');
    const reason = new Cancelled('killed');
    await joiner.kill(reason);
    assert.equal(joiner.exception, reason);
    assert.equal(taskObservers(joiner), 0);
    assert.equal(target.ready(), false);
    await target.kill();
  });

  test('bad arguments reject', async () => {
    const task = spawn(() => 1);
    await assert.rejects(joinAll([task, 'no task' as unknown as Task]), TypeError);
    await assert.rejects(joinAll([task], { timeout: -5 }), RangeError);
    await assert.rejects(joinAll([task], { raiseError: 'yes' as never }), TypeError);
    await assert.rejects(joinAll(42 as never), TypeError);
    await task;
  });

  test('a joined failure is reported only if the caller does not look at it after joinAll returns', async () => {
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    try {
      const fail = (name: string) =>
        spawn.named(name, async () => {
          await sleep(5);
          throw new Error(name);
        });
      const looked = fail('looked-at');
      const ignored = fail('ignored');
      const slow = spawn(() => sleep(20));
      await joinAll([looked, ignored, slow]);
      assert.equal(warnings.length, 0, 'nothing reported while joinAll was waiting');
      assert.ok(looked.exception instanceof Error);
      await until(() => warnings.length > 0, 'the report');
      await tick(2);
      assert.deepEqual(
        warnings.map((w) => w.message.match(/task (\S+)/)?.[1]),
        ['ignored'],
      );
    } finally {
      process.off('warning', listener);
    }
  });
});
