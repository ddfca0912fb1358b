// TaskGroup and cancellation: killing the task that opened a group, nested groups, groups outside
// any task, and what `await using` can and cannot see. Ported in part from CPython's test_taskgroups.py.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CancelledError,
  currentTask,
  Event,
  RuntimeError,
  sleep,
  spawn,
  type Task,
  TaskGroup,
} from '../src/index.js';
import { Boom, crashAfter } from './fixtures/task-failures.js';
import {
  Cancelled,
  gate,
  TEST_OPTIONS,
  taskObservers,
  tick,
  until,
} from './support/async-helpers.js';

/** A child that counts how many times it was cancelled while sleeping. */
function sleeper(counter: { cancelled: number }) {
  return async () => {
    try {
      await sleep(60_000);
    } catch (e) {
      if (e instanceof Cancelled || e instanceof CancelledError) counter.cancelled++;
      throw e;
    }
  };
}

/** Spawns `fn`, waits until it has parked (its kill signal has listeners), kills it with a fresh reason. */
async function killWhenParked(task: Task, parked: () => boolean): Promise<Cancelled> {
  await until(parked, 'the task is parked');
  const reason = new Cancelled('test');
  await task.kill(reason);
  return reason;
}

describe('TaskGroup: killing the task that opened it', TEST_OPTIONS, () => {
  test('kills every child with the kill reason; the task ends with that reason', async () => {
    const counter = { cancelled: 0 };
    const children: Task[] = [];
    const runner = spawn(async () => {
      await using tg = new TaskGroup();
      for (let i = 0; i < 5; i++) children.push(tg.spawn(sleeper(counter)));
    });
    const reason = await killWhenParked(
      runner,
      () =>
        children.length === 5 &&
        counter.cancelled === 0 &&
        children.every((c) => taskObservers(c) === 1),
    );
    assert.equal(runner.exception, reason);
    assert.equal(counter.cancelled, 5);
    for (const child of children) assert.equal(child.exception, reason);
  });

  test('the body is cancelled as well as the children', async () => {
    const counter = { cancelled: 0 };
    let bodyCancelled = 0;
    const runner = spawn(() =>
      TaskGroup.run(async (tg) => {
        for (let i = 0; i < 5; i++) tg.spawn(sleeper(counter));
        try {
          await sleep(60_000);
        } catch (e) {
          bodyCancelled += 10;
          throw e;
        }
      }),
    );
    const reason = await killWhenParked(
      runner,
      () => taskObservers(runner) > 0 && currentTaskWaits(runner),
    );
    assert.equal(runner.exception, reason);
    assert.equal(counter.cancelled + bodyCancelled, 15);
  });

  test('children failing in their cleanup make real errors, reported instead of the cancellation', async () => {
    const runner = spawn(() =>
      TaskGroup.run(async (tg) => {
        for (let i = 0; i < 5; i++)
          tg.spawn(async () => {
            try {
              await sleep(60_000);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
              throw new Boom('cleanup');
            }
          });
        await sleep(60_000);
      }),
    );
    await until(() => currentTaskWaits(runner), 'the body waits');
    await runner.kill(new Cancelled('test'));
    assert.ok(runner.exception instanceof AggregateError);
    assert.equal(runner.exception.errors.length, 5);
    for (const e of runner.exception.errors) assert.ok(e instanceof Boom);
  });

  test('a body that turns the cancellation into its own error reports that error', async () => {
    for (const form of ['run', 'await using'] as const) {
      const body = async () => {
        try {
          await sleep(60_000);
        } catch {
          throw new Boom('instead');
        }
      };
      const runner = spawn(async () => {
        if (form === 'run') return TaskGroup.run(body);
        await using _tg = new TaskGroup();
        await body();
      });
      await until(() => currentTaskWaits(runner), 'the body waits');
      await runner.kill(new Cancelled('test'));
      assert.ok(runner.exception instanceof Boom, form);
    }
  });

  test('a kill while the group waits for its children at the exit kills them, then the task ends with the reason', async () => {
    const counter = { cancelled: 0 };
    let child!: Task;
    const runner = spawn(() =>
      TaskGroup.run((tg) => {
        child = tg.spawn(sleeper(counter));
      }),
    );
    await until(() => child !== undefined && taskObservers(child) === 1, 'the child sleeps');
    const reason = new Cancelled('test');
    await runner.kill(reason);
    assert.equal(counter.cancelled, 1);
    assert.equal(runner.exception, reason);
  });

  test('a group opened in a task that was already killed takes no children', async () => {
    let refused: unknown;
    const release = gate();
    const runner = spawn(async () => {
      await release.opened; // not a weft wait: the kill does not interrupt it
      const tg = new TaskGroup();
      assert.equal(tg.signal.aborted, true);
      try {
        tg.spawn(() => 1);
      } catch (e) {
        refused = e;
      }
      await tg[Symbol.asyncDispose]();
      return 'ended';
    });
    await tick();
    const killed = runner.kill(new Cancelled('before the group'));
    release.open();
    await killed;
    assert.ok(refused instanceof RuntimeError);
    assert.match((refused as Error).message, /shutting down/);
    assert.equal(runner.value, 'ended');
  });
});

describe('TaskGroup: nesting', TEST_OPTIONS, () => {
  test('an outer child failing cancels an inner group opened in the body', async () => {
    const error = await spawn(() =>
      TaskGroup.run(async (outer) => {
        outer.spawn(crashAfter, 2);
        await TaskGroup.run((inner) => {
          inner.spawn(crashAfter, 60_000);
        });
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Boom);
    assert.equal((error as Error).message, 'after 2 ms');
  });

  test('an inner failure reaches the outer group through the body, which cancels the outer children', async () => {
    let outerChild!: Task;
    const error = await spawn(() =>
      TaskGroup.run(async (outer) => {
        outerChild = outer.spawn(crashAfter, 60_000);
        await TaskGroup.run((inner) => {
          inner.spawn(crashAfter, 2);
        });
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Boom);
    assert.ok(outerChild.exception instanceof CancelledError);
  });

  test('a body that handles an inner group failure goes on, and the outer group is unaffected', async () => {
    const value = await spawn(() =>
      TaskGroup.run(async (outer) => {
        const steady = outer.spawn(async () => {
          await sleep(5);
          return 'steady';
        });
        await assert.rejects(
          TaskGroup.run((inner) => {
            inner.spawn(crashAfter, 1);
          }),
          Boom,
        );
        await sleep(1);
        return steady;
      }),
    );
    assert.equal(await value, 'steady');
  });

  test('killing the task kills the children of nested groups too', async () => {
    const counter = { cancelled: 0 };
    const runner = spawn(() =>
      TaskGroup.run(async (outer) => {
        outer.spawn(sleeper(counter));
        await TaskGroup.run(async (inner) => {
          inner.spawn(sleeper(counter));
          inner.spawn(sleeper(counter));
          await sleep(60_000);
        });
      }),
    );
    await until(() => counter.cancelled === 0 && currentTaskWaits(runner), 'everyone sleeps');
    await tick(3);
    const reason = new Cancelled('test');
    await runner.kill(reason);
    assert.equal(counter.cancelled, 3);
    assert.equal(runner.exception, reason);
  });
});

describe('TaskGroup: await using and groups outside tasks', TEST_OPTIONS, () => {
  test('with await using, a cancelled body and a child error arrive as a SuppressedError', async () => {
    const runner = spawn(async () => {
      await using tg = new TaskGroup();
      tg.spawn(crashAfter, 2);
      await new Event().wait();
    });
    await runner.join();
    const error = runner.exception as { name: string; error: unknown; suppressed: unknown };
    assert.equal(error.name, 'SuppressedError');
    assert.ok(error.error instanceof Boom, 'the group error');
    assert.ok(error.suppressed instanceof CancelledError, "the body's cancellation");
  });

  test('with await using, an error of the body does not cancel the children: the group waits for them', async () => {
    let child!: Task<string>;
    const runner = spawn(async () => {
      await using tg = new TaskGroup();
      child = tg.spawn(async () => {
        await sleep(5);
        return 'finished';
      });
      throw new Boom('body');
    });
    await runner.join();
    assert.ok(runner.exception instanceof Boom);
    assert.equal(child.value, 'finished');
  });

  test('disposing twice closes once', async () => {
    await spawn(async () => {
      const tg = new TaskGroup();
      tg.spawn(() => sleep(2));
      const first = tg[Symbol.asyncDispose]();
      assert.equal(tg[Symbol.asyncDispose](), first);
      await first;
    });
  });

  test('outside any task a group still cancels its children on a failure and aborts its signal', async () => {
    assert.equal(currentTask(), undefined);
    let sibling!: Task;
    let signal!: AbortSignal;
    await assert.rejects(async () => {
      await using tg = new TaskGroup();
      signal = tg.signal;
      sibling = tg.spawn(() => sleep(60_000));
      tg.spawn(crashAfter, 1);
      await sleep(10); // not interrupted: there is no task to interrupt
      assert.equal(signal.aborted, true);
    }, Boom);
    assert.ok(sibling.exception instanceof CancelledError);
  });

  test('TaskGroup.run outside any task runs the body in a task, so the body can be cancelled', async () => {
    let bodyTask: Task | undefined;
    let bodyCancelled = false;
    await assert.rejects(
      TaskGroup.run(async (tg) => {
        bodyTask = currentTask();
        tg.spawn(crashAfter, 1);
        try {
          await sleep(60_000);
        } catch (e) {
          bodyCancelled = e instanceof CancelledError;
          throw e;
        }
      }),
      Boom,
    );
    assert.notEqual(bodyTask, undefined);
    assert.equal(bodyCancelled, true);
  });

  test('TaskGroup.run refuses a body that is not a function', async () => {
    await assert.rejects(TaskGroup.run(5 as never), TypeError);
  });
});

/** Whether `task` is parked in a weft wait (or listens on the signal its code sees). */
function currentTaskWaits(task: Task): boolean {
  return taskObservers(task) > 0;
}
