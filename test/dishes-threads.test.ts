// The dish pipeline with its dryers in worker threads (`runDishes({ mode: 'threads' })`):
// the same pipeline as in tasks mode, the dryers working on shared queues and reporting what
// they do, the dry stage still counted here, and a failing
// run leaving no thread behind.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { runDishes } from '../src/demo/dishes.js';
import { activeCount, enumerate, Thread, WorkerCrashedError } from '../src/index.js';
import { WORKER_SUITE } from './support/async-helpers.js';
import { assertEveryDishOnceInOrder, recordRun, stageCounts } from './support/dish-runs.js';

const QUICK = { washMs: 0, dryMs: 0, stackMs: 0, queueSize: 2, mode: 'threads' } as const;

/** The dryer threads alive now (the threads mode names them `dryer-<n>`). */
function dryerThreads(): Thread[] {
  return enumerate().filter(
    (thread): thread is Thread => thread instanceof Thread && /^dryer-\d+$/.test(thread.name),
  );
}

// A test that failed half-way must not leave the runner waiting on threads.
after(async () => {
  await Promise.all(dryerThreads().map((thread) => thread.terminate()));
});

/** Warnings about thread exceptions nobody read, emitted while `run` goes on and a turn after. */
async function unreadThreadErrors(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => {
    if (warning.name === 'UnobservedThreadError') seen.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await run();
    await nextTurn();
    await nextTurn();
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('runDishes in threads mode', WORKER_SUITE, () => {
  test('every dish passes every stage exactly once; the dryers are threads; none is left', async () => {
    const before = activeCount();
    const dishes = 60;
    let duringRun: string[] = [];
    const { summary, events } = await recordRun(
      { ...QUICK, dishes, washers: 2, dryers: 3 },
      (stage) => {
        if (stage.name === 'stack' && stage.dishes === 1) {
          duringRun = dryerThreads()
            .filter((thread) => thread.isAlive())
            .map((thread) => thread.name);
        }
      },
    );
    assert.deepEqual(duringRun.sort(), ['dryer-1', 'dryer-2', 'dryer-3']);
    // Counted in the main thread, the dry stage still sees each dish between wash and stack.
    assertEveryDishOnceInOrder(events, dishes);
    assert.deepEqual(stageCounts(summary), [
      ['wash', 2, dishes],
      ['dry', 3, dishes],
      ['stack', 1, dishes],
    ]);
    assert.equal(summary.options.mode, 'threads');
    assert.equal(activeCount(), before, 'every dryer thread has ended');
    assert.deepEqual(dryerThreads(), []);
  });

  test('one dryer thread and a queue of one still stack every dish in order', async () => {
    const { events } = await recordRun({
      ...QUICK,
      dishes: 12,
      washers: 1,
      dryers: 1,
      stackers: 1,
      queueSize: 1,
    });
    const stacked = events.filter(([stage]) => stage === 'stack').map(([, dish]) => dish);
    assert.deepEqual(stacked, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('a failure counting a dried dish fails the run with its error; no thread is left', async () => {
    const before = activeCount();
    const broken = new Error('dropped a plate');
    let failure: unknown;
    const unread = await unreadThreadErrors(async () => {
      failure = await runDishes(
        { ...QUICK, dishes: 40, dryers: 3 },
        {
          // Runs in this thread, as the dryer threads' reports are counted in.
          dish(stage, dish) {
            if (stage.name === 'dry' && dish === 5) throw broken;
          },
        },
      ).then(
        () => assert.fail('the run should have failed'),
        (error: unknown) => error,
      );
    });
    assert.equal(failure, broken);
    assert.equal(activeCount(), before, 'every dryer thread has ended');
    assert.deepEqual(dryerThreads(), []);
    assert.deepEqual(unread, [], 'the run read every dryer thread exception');
  });

  test('a dryer thread that dies mid-run fails the run with WorkerCrashedError', async () => {
    const before = activeCount();
    let terminated: Promise<void> | undefined;
    const run = runDishes(
      { ...QUICK, dishes: 200, dryMs: 1, dryers: 2 },
      {
        dish(stage) {
          if (stage.name !== 'dry' || stage.dishes !== 3) return;
          const victim = dryerThreads().find((thread) => thread.name === 'dryer-2');
          assert.ok(victim?.isAlive() === true, 'dryer-2 runs while the dry stage works');
          terminated = victim.terminate();
        },
      },
    );
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.match(error.message, /dryer thread dryer-2 ended with exit code 1/);
      return true;
    });
    await terminated;
    assert.equal(activeCount(), before, 'the other dryer thread has ended too');
    assert.deepEqual(dryerThreads(), []);
  });
});
