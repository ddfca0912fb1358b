// TaskGroup: waiting for every child, the first failure cancelling siblings and body, the real errors
// thrown (never the cancellations). Behaviours ported from CPython's test_taskgroups.py.
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
import { abortListeners, TEST_OPTIONS, tick } from './support/async-helpers.js';

/** The errors a group threw: the error itself, or the members of an AggregateError. */
const errorsOf = (error: unknown): unknown[] =>
  error instanceof AggregateError ? error.errors : [error];

/** Runs `fn` in a task and returns what it threw (failing the test if it did not throw). */
async function thrownBy(fn: () => Promise<unknown>): Promise<unknown> {
  const task = spawn(fn);
  await task.join();
  assert.equal(task.successful(), false, 'expected a failure');
  return task.exception;
}

describe('TaskGroup: waiting for children', TEST_OPTIONS, () => {
  test('the block ends once every child has, with their results', async () => {
    let first!: Task<number>;
    let second!: Task<number>;
    await spawn(async () => {
      await using tg = new TaskGroup();
      first = tg.spawn(async () => {
        await sleep(5);
        return 42;
      });
      second = tg.spawn(async () => {
        await sleep(10);
        return 11;
      });
    });
    assert.equal(first.value, 42);
    assert.equal(second.value, 11);
  });

  test('children spawned after an await in the body are waited for too', async () => {
    const results = await TaskGroup.run(async (tg) => {
      const a = tg.spawn(async () => 'early');
      await sleep(5);
      const b = tg.spawn(async () => {
        await sleep(5);
        return 'late';
      });
      return [a, b];
    });
    assert.deepEqual(
      results.map((t) => t.value),
      ['early', 'late'],
    );
  });

  test('children spawned by other children are waited for too', async () => {
    const log: string[] = [];
    await TaskGroup.run((tg) => {
      tg.spawn(async () => {
        await sleep(2);
        tg.spawn(async () => {
          await sleep(2);
          log.push('grandchild 1');
        });
        tg.spawn(async () => {
          await sleep(4);
          log.push('grandchild 2');
        });
      });
    });
    assert.deepEqual(log, ['grandchild 1', 'grandchild 2']);
  });

  test('a child killed by the user is a cancellation, not an error: the others go on', async () => {
    const outcome = await TaskGroup.run(async (tg) => {
      const doomed = tg.spawn(() => sleep(60_000));
      await tick();
      void doomed.kill();
      const fine = tg.spawn(async () => {
        await sleep(2);
        return 11;
      });
      return { doomed, fine };
    });
    assert.ok(outcome.doomed.exception instanceof CancelledError);
    assert.equal(outcome.fine.value, 11);
  });

  test('TaskGroup.run gives the body its value; names set on children are seen inside them', async () => {
    const value = await TaskGroup.run(async (tg) => {
      const child = tg.spawn(async () => currentTask()!.name);
      child.name = 'yolo';
      return child;
    });
    assert.equal(await value, 'yolo');
  });

  test('finished children are not retained', async () => {
    await TaskGroup.run(async (tg) => {
      for (let i = 0; i < 10; i++) {
        tg.spawn(() => sleep(1));
        await sleep(3);
        assert.ok(tg.running <= 1, `at most the newest child is running (${tg.running})`);
      }
      await sleep(3);
      assert.equal(tg.running, 0);
    });
  });
});

describe('TaskGroup: a failure', TEST_OPTIONS, () => {
  test('a failing child cancels its siblings; the block is left with the child error', async () => {
    let siblingCancelled = false;
    let after = false;
    let sibling!: Task;
    const error = await thrownBy(async () => {
      {
        await using tg = new TaskGroup();
        tg.spawn(crashAfter, 2);
        sibling = tg.spawn(async () => {
          try {
            await sleep(60_000);
          } catch (e) {
            siblingCancelled = e instanceof CancelledError;
            throw e;
          }
        });
      }
      after = true;
    });
    assert.ok(error instanceof Boom, 'the error itself, not a wrapper, when one child failed');
    assert.equal(siblingCancelled, true);
    assert.ok(sibling.exception instanceof CancelledError);
    assert.equal(after, false);
  });

  test('the body is cancelled too: its weft waits reject, and several failures make an AggregateError', async () => {
    let bodyCancelled = false;
    const error = await thrownBy(() =>
      TaskGroup.run(async (tg) => {
        for (let i = 0; i < 3; i++) tg.spawn(crashAfter, 2);
        tg.spawn(() => sleep(60_000));
        try {
          await new Event().wait();
        } catch (e) {
          bodyCancelled = e instanceof CancelledError;
          throw e;
        }
      }),
    );
    assert.equal(bodyCancelled, true);
    const errors = errorsOf(error);
    assert.ok(errors.length >= 1 && errors.length <= 3, 'only the real failures');
    for (const e of errors) assert.ok(e instanceof Boom);
  });

  test('several failures that happen together are all reported, in the order they happened', async () => {
    const error = await thrownBy(() =>
      TaskGroup.run((tg) => {
        tg.spawn(async () => {
          try {
            await sleep(60_000);
          } catch {
            // cleanup that fails after the cancellation is a real error
            throw new Boom('in cleanup');
          }
        });
        tg.spawn(async () => {
          await tick();
          throw new Boom('first');
        });
      }),
    );
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(
      error.errors.map((e: Error) => e.message),
      ['first', 'in cleanup'],
    );
  });

  test('an error thrown by the body of TaskGroup.run cancels the children and is rethrown', async () => {
    let first!: Task;
    let second!: Task;
    const error = await thrownBy(() =>
      TaskGroup.run(async (tg) => {
        first = tg.spawn(() => sleep(60_000));
        second = tg.spawn(() => sleep(60_000));
        await sleep(2);
        throw new Boom('body');
      }),
    );
    assert.ok(error instanceof Boom);
    assert.equal((error as Error).message, 'body');
    assert.ok(first.exception instanceof CancelledError);
    assert.ok(second.exception instanceof CancelledError);
  });

  test('a body that fails at once cancels children that never started', async () => {
    let ran = false;
    let child!: Task;
    const error = await thrownBy(() =>
      TaskGroup.run((tg) => {
        child = tg.spawn(() => {
          ran = true;
        });
        throw new Boom('at once');
      }),
    );
    assert.ok(error instanceof Boom);
    assert.equal(ran, false);
    assert.ok(child.exception instanceof CancelledError);
  });

  test('an error of the body and an error of a child are both reported', async () => {
    const error = await thrownBy(() =>
      TaskGroup.run(async (tg) => {
        tg.spawn(crashAfter, 2);
        try {
          await sleep(60_000);
        } catch {
          throw new RangeError('body cleanup');
        }
      }),
    );
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(
      error.errors.map((e: Error) => e.name),
      ['Boom', 'RangeError'],
    );
  });

  test('a child spawning into a group that is shutting down gets a RuntimeError', async () => {
    let refused: unknown;
    const error = await thrownBy(() =>
      TaskGroup.run((tg) => {
        tg.spawn(crashAfter, 1);
        tg.spawn(async () => {
          try {
            await sleep(60_000);
          } catch {
            try {
              tg.spawn(() => 1);
            } catch (e) {
              refused = e;
            }
          }
        });
      }),
    );
    assert.ok(error instanceof Boom, 'the sibling swallowed its cancellation and ended quietly');
    assert.ok(refused instanceof RuntimeError);
    assert.match((refused as Error).message, /shutting down/);
  });

  test('a child that makes another child fail is cancelled at its next wait', async () => {
    let cancelledAtWait = false;
    const error = await thrownBy(() =>
      TaskGroup.run((tg) => {
        tg.spawn(async () => {
          tg.spawn(async () => {
            throw new Boom('third task failed');
          });
          try {
            await sleep(5);
          } catch (e) {
            cancelledAtWait = e instanceof CancelledError;
          }
        });
      }),
    );
    assert.ok(error instanceof Boom);
    assert.equal(cancelledAtWait, true);
  });

  test('after a failed group, the task that ran it is not cancelled any more', async () => {
    await spawn(async () => {
      const signalBefore = currentTask()!.signal;
      const listenersBefore = abortListeners(signalBefore);
      await assert.rejects(
        TaskGroup.run((tg) => {
          tg.spawn(crashAfter, 0);
        }),
        Boom,
      );
      assert.equal(currentTask()!.signal, signalBefore, 'the group scope is closed');
      assert.equal(currentTask()!.signal.aborted, false);
      assert.equal(abortListeners(signalBefore), listenersBefore, 'no listener left');
      await sleep(1); // a weft wait after the group works
      assert.equal(await new Event().wait({ timeout: 1 }), false);
    });
  });

  test('a body that awaits a failing child reports that error once', async () => {
    const error = await thrownBy(() => TaskGroup.run((tg) => tg.spawn(crashAfter, 0)));
    assert.ok(error instanceof Boom);
  });

  test('spawning into a finished group throws a RuntimeError', async () => {
    const tg = await spawn(async () => {
      await using tg = new TaskGroup();
      return { tg };
    });
    assert.throws(() => tg.tg.spawn(() => 1), { name: 'RuntimeError', message: /finished/ });
  });

  test('a group that keeps spawning is stopped by a failure (the hydra)', async () => {
    let heads = 0;
    const hydra = async (tg: TaskGroup): Promise<void> => {
      heads++;
      await sleep(1);
      tg.spawn(hydra, tg);
      tg.spawn(hydra, tg);
    };
    const error = await thrownBy(() =>
      TaskGroup.run((tg) => {
        tg.spawn(hydra, tg);
        tg.spawn(async () => {
          while (heads < 10) await sleep(1);
          throw new Boom('hercules');
        });
      }),
    );
    assert.ok(error instanceof Boom);
    assert.ok(heads >= 10);
  });
});
