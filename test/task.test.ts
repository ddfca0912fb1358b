// Task handles: starting, outcome, join, kill, names, awaiting from other tasks, and the report of
// failures nobody looked at.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CancelledError,
  currentTask,
  Event,
  joinAll,
  RuntimeError,
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

/** Collects the warnings emitted while it listens. */
function collectWarnings() {
  const warnings: (Error & { code?: string; detail?: string; task?: Task })[] = [];
  const listener = (warning: Error) => warnings.push(warning);
  process.on('warning', listener);
  return { warnings, stop: () => process.off('warning', listener) };
}

describe('spawn and the task handle', TEST_OPTIONS, () => {
  test('a task starts on a later microtask, never inside spawn()', async () => {
    const log: string[] = [];
    const task = spawn(() => log.push('ran'));
    log.push('spawned');
    assert.deepEqual(log, ['spawned']);
    await Promise.resolve();
    assert.deepEqual(log, ['spawned', 'ran']);
    assert.equal(await task, 2);
  });

  test('tasks spawned together start in spawn order', async () => {
    const order: number[] = [];
    const tasks = [1, 2, 3, 4].map((n) => spawn(() => order.push(n)));
    await joinAll(tasks);
    assert.deepEqual(order, [1, 2, 3, 4]);
  });

  test('killing a task before it starts means it never runs, and it ends at once', async () => {
    let ran = false;
    const task = spawn(() => {
      ran = true;
    });
    const reason = new Cancelled('never mind');
    const killed = track(task.kill(reason));
    assert.equal(task.ready(), true, 'a task killed before it started ends at once');
    assert.equal(task.exception, reason);
    await killed.promise;
    await tick();
    assert.equal(ran, false);
    assert.equal(task.signal.aborted, true);
    assert.equal(task.signal.reason, reason);
  });

  test('value, exception, ready and successful, for a task that returns and one that throws', async () => {
    const ok = spawn(async (a: number, b: number) => a + b, 2, 3);
    const boom = new Error('boom');
    const bad = spawn(async () => {
      await tick();
      throw boom;
    });
    assert.equal(ok.ready(), false);
    assert.equal(ok.value, undefined);
    assert.equal(await ok, 5);
    assert.equal(ok.ready(), true);
    assert.equal(ok.successful(), true);
    assert.equal(ok.value, 5);
    assert.equal(ok.exception, undefined);
    await assert.rejects(Promise.resolve(bad), boom);
    assert.equal(bad.ready(), true);
    assert.equal(bad.successful(), false);
    assert.equal(bad.value, undefined);
    assert.equal(bad.exception, boom);
  });

  test('synchronous functions work too: a plain return value, a synchronous throw', async () => {
    assert.equal(await spawn(() => 'sync'), 'sync');
    const error = new Error('sync throw');
    const task = spawn(() => {
      throw error;
    });
    await assert.rejects(Promise.resolve(task), error);
  });

  test('spawn refuses something that is not a function', () => {
    assert.throws(() => spawn(42 as never), TypeError);
    assert.throws(() => spawn.named(7 as never, () => 1), TypeError);
  });

  test('names: Task-<id> by default, spawn.named, and settable before or while it runs', async () => {
    const plain = spawn(() => currentTask()!.name);
    assert.equal(plain.name, `Task-${plain.id}`);
    assert.equal(await plain, plain.name);
    const named = spawn.named('resolver', (host: string) => `${currentTask()!.name}:${host}`, 'db');
    assert.equal(named.name, 'resolver');
    assert.equal(await named, 'resolver:db');
    const renamed = spawn(() => currentTask()!.name);
    renamed.name = 'yolo';
    assert.equal(await renamed, 'yolo');
    const a = spawn(() => 1);
    const b = spawn(() => 1);
    assert.ok(b.id > a.id, 'ids increase');
    await joinAll([a, b]);
  });
});

describe('Task.join', TEST_OPTIONS, () => {
  test('resolves true when the task ended, whatever the outcome, and never throws its error', async () => {
    const task = spawn(async () => {
      await tick();
      throw new Error('ignored by join');
    });
    assert.equal(await task.join(), true);
    assert.equal(await task.join(), true, 'again once it has ended');
    assert.equal(task.successful(), false);
  });

  test('resolves false on timeout, and the task goes on', async () => {
    const release = gate();
    const task = spawn(() => release.opened);
    assert.equal(await task.join({ timeout: 5 }), false);
    assert.equal(await task.join({ timeout: 0 }), false);
    assert.equal(task.ready(), false);
    release.open();
    assert.equal(await task.join(), true);
  });

  test('invalid options reject; an aborted signal rejects and leaves no listener', async () => {
    const task = spawn(() => new Event().wait());
    await assert.rejects(task.join({ timeout: -1 }), RangeError);
    await assert.rejects(task.join({ timeout: 'soon' as never }), TypeError);
    await assert.rejects(task.join({ signal: {} as never }), TypeError);
    const controller = new AbortController();
    const joined = task.join({ signal: controller.signal });
    assert.equal(abortListeners(controller.signal), 1);
    const reason = new Cancelled('stop waiting');
    controller.abort(reason);
    await assert.rejects(joined, reason);
    assert.equal(abortListeners(controller.signal), 0);
    await assert.rejects(task.join({ signal: controller.signal }), reason);
    await task.kill();
  });
});

describe('Task.kill', TEST_OPTIONS, () => {
  test('the default reason is a CancelledError naming the task; kill resolves once the task ended', async () => {
    const cleaned: string[] = [];
    const task = spawn.named('worker', async () => {
      try {
        await new Event().wait();
      } finally {
        await new Promise((resolve) => setTimeout(resolve, 5));
        cleaned.push('done');
      }
    });
    await until(() => taskObservers(task) === 1, 'the task waits');
    await task.kill();
    assert.deepEqual(cleaned, ['done'], 'kill() waited for the cleanup');
    assert.ok(task.exception instanceof CancelledError);
    assert.match((task.exception as Error).message, /worker/);
  });

  test('the first reason wins, and killing a finished task changes nothing', async () => {
    const task = spawn(() => new Event().wait());
    await tick();
    const first = new Cancelled('first');
    const killing = task.kill(first);
    void task.kill(new Cancelled('second'));
    await killing;
    assert.equal(task.exception, first);
    const done = spawn(() => 'fine');
    await done;
    await done.kill();
    assert.equal(done.value, 'fine');
    assert.equal(done.signal.aborted, false);
  });

  test('a killed task can still kill and wait for its helpers in its cleanup', async () => {
    const helperStopped = new Event();
    const parent = spawn(async () => {
      const helper = spawn(async () => {
        try {
          await new Event().wait();
        } finally {
          helperStopped.set();
        }
      });
      try {
        await new Event().wait();
      } finally {
        await helper.kill(); // not interrupted although this task was killed
      }
    });
    await until(() => taskObservers(parent) === 1, 'the parent waits');
    await parent.kill();
    assert.equal(helperStopped.isSet(), true);
  });
});

describe('awaiting a task', TEST_OPTIONS, () => {
  test('inside a task, awaiting another task observes the kill of the awaiting task only', async () => {
    const release = gate();
    const target = spawn(async () => {
      await release.opened;
      return 'target done';
    });
    const victim = spawn(() => target);
    const bystander = spawn(() => target);
    await tick(2);
    const reason = new Cancelled('stop');
    await victim.kill(reason);
    assert.equal(victim.exception, reason);
    assert.equal(target.ready(), false, 'the awaited task goes on');
    release.open();
    assert.equal(await bystander, 'target done');
    assert.equal(await target, 'target done');
  });

  test('outside tasks, any number of awaits share the outcome', async () => {
    const task = spawn(async () => {
      await tick();
      return 7;
    });
    assert.deepEqual(await Promise.all([task, task, task]), [7, 7, 7]);
    assert.equal(await task, 7, 'awaiting a finished task');
  });

  test('a task may await many tasks at once without a MaxListenersExceededWarning', async () => {
    const { warnings, stop } = collectWarnings();
    try {
      const release = new Event();
      const parent = spawn(async () => {
        const children = Array.from({ length: 25 }, () => spawn(() => release.wait()));
        const all = Promise.all(children); // 25 awaits parked in this task at once
        await tick();
        release.set();
        return (await all).length;
      });
      assert.equal(await parent, 25);
      await tick(2);
      assert.deepEqual(
        warnings.map((w) => w.name),
        [],
      );
    } finally {
      stop();
    }
  });

  test('awaiting itself is a RuntimeError, not a hang', async () => {
    const task = spawn(async () => {
      await currentTask();
    });
    await assert.rejects(Promise.resolve(task), RuntimeError);
  });
});

describe('failures nobody retrieved', TEST_OPTIONS, () => {
  test('are reported once as an UnobservedTaskError warning on a later turn, not as a crash', async () => {
    const { warnings, stop } = collectWarnings();
    try {
      const error = new Error('lost');
      const task = spawn.named('forgotten', async () => {
        throw error;
      });
      await until(() => task.ready(), 'the task failed');
      assert.equal(warnings.length, 0, 'not at once: the spawner gets its turn first');
      await until(() => warnings.length > 0, 'the report');
      await tick(2);
      assert.equal(warnings.length, 1);
      const [warning] = warnings;
      assert.equal(warning!.name, 'UnobservedTaskError');
      assert.equal(warning!.code, 'WEFT_UNOBSERVED_TASK_ERROR');
      assert.equal(warning!.cause, error);
      assert.equal(warning!.task, task);
      assert.match(warning!.message, /forgotten.*lost/);
      assert.match(warning!.detail!, /Error: lost/);
    } finally {
      stop();
    }
  });

  test('are not reported when awaited, read, checked, killed by their own kill, or joined with raiseError', async () => {
    const { warnings, stop } = collectWarnings();
    try {
      const fail = async () => {
        await tick();
        throw new Error('seen');
      };
      const awaited = spawn(fail);
      const awaiting = assert.rejects(Promise.resolve(awaited));
      const read = spawn(fail);
      const checked = spawn(fail);
      const raised = spawn(fail);
      const raising = assert.rejects(joinAll([raised], { raiseError: true }), /seen/);
      const killed = spawn(() => new Event().wait());
      await tick();
      await killed.kill();
      await joinAll([read, checked]);
      assert.ok(read.exception instanceof Error);
      assert.equal(checked.successful(), false);
      await awaiting;
      await raising;
      await tick(3);
      assert.deepEqual(
        warnings.map((w) => w.message),
        [],
      );
    } finally {
      stop();
    }
  });

  test('a kill that ends a task while a join waits for it is not reported either', async () => {
    const { warnings, stop } = collectWarnings();
    try {
      const task = spawn(() => new Event().wait());
      await tick();
      const joined = joinAll([task]);
      await task.kill();
      assert.deepEqual(await joined, [task]);
      await tick(3);
      assert.deepEqual(
        warnings.map((w) => w.message),
        [],
      );
    } finally {
      stop();
    }
  });

  test('a pending join holds the report back; the joiner can look once it returns', async () => {
    const { warnings, stop } = collectWarnings();
    try {
      const fail = async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('after join');
      };
      const inspected = spawn(fail);
      const ignored = spawn.named('ignored', fail);
      await inspected.join();
      assert.ok(inspected.exception instanceof Error, 'the joiner looks at once');
      await ignored.join();
      await until(() => warnings.length > 0, 'the report of the task nobody looked at');
      await tick(2);
      assert.deepEqual(
        warnings.map((w) => (w.task as Task).name),
        ['ignored'],
      );
    } finally {
      stop();
    }
  });
});
