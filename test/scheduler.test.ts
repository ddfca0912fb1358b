// Scheduler: the Cookbook's round-robin generator scheduler, errors, stop/timeout/signal, and
// turns given to the event loop during long runs (promises and async generators: scheduler-promises).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { CancelledError, RuntimeError, Scheduler, spawn } from '../src/index.js';

const OPTIONS = { timeout: 10_000 };

/**
 * A task that steps "forever", counting its slices. Bounded, so that a scheduler that never
 * gives the event loop a turn fails the test (the run ends with true) instead of hanging it.
 */
function* forever(counter: { steps: number }): Generator<void, void, void> {
  while (counter.steps < 20_000_000) {
    counter.steps++;
    yield;
  }
}

describe('Scheduler: round-robin', OPTIONS, () => {
  test('interleaves tasks one slice each, in the order they were added (the Cookbook run)', async () => {
    const log: string[] = [];
    function* countdown(n: number) {
      for (; n > 0; n--) {
        log.push(`T-minus ${n}`);
        yield;
      }
      log.push('Blastoff!');
    }
    function* countup(n: number) {
      for (let x = 0; x < n; x++) {
        log.push(`up ${x}`);
        yield;
      }
    }
    const sched = new Scheduler();
    sched.newTask(countdown(3));
    sched.newTask(countdown(1));
    sched.newTask(countup(2));
    assert.equal(sched.size, 3);
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, [
      'T-minus 3',
      'T-minus 1',
      'up 0',
      'T-minus 2',
      'Blastoff!',
      'up 1',
      'T-minus 1',
      'Blastoff!',
    ]);
    assert.equal(sched.size, 0);
  });

  test('run() with no task resolves true; finished tasks are removed', async () => {
    const sched = new Scheduler();
    assert.equal(await sched.run(), true);
    function* two() {
      yield;
      yield;
    }
    sched.newTask(two());
    sched.newTask((function* () {})());
    assert.equal(sched.size, 2);
    assert.equal(await sched.run(), true);
    assert.equal(sched.size, 0);
  });

  test('does not run anything before run(), and tasks may add tasks during a run', async () => {
    const log: string[] = [];
    const sched = new Scheduler();
    function* child(name: string) {
      log.push(`${name} starts`);
      yield;
      log.push(`${name} ends`);
    }
    sched.newTask(
      (function* () {
        log.push('parent starts');
        sched.newTask(child('child'));
        yield;
        log.push('parent ends');
      })(),
    );
    assert.deepEqual(log, []);
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, ['parent starts', 'child starts', 'parent ends', 'child ends']);
  });

  test('a plain yielded value comes straight back, like `await value`', async () => {
    const seen: unknown[] = [];
    const sched = new Scheduler();
    sched.newTask(
      (function* (): Generator<unknown, void, unknown> {
        seen.push(yield 42);
        seen.push(yield 'text');
        seen.push(yield);
      })(),
    );
    await sched.run();
    assert.deepEqual(seen, [42, 'text', undefined]);
  });

  test('newTask refuses what is not a started generator, and the same generator twice', () => {
    const sched = new Scheduler();
    function* countdown() {}
    assert.throws(() => sched.newTask(countdown as never), {
      name: 'TypeError',
      message: /call the generator function.*newTask\(countdown\(10\)\)/,
    });
    assert.throws(() => sched.newTask(42 as never), { name: 'TypeError', message: /number 42/ });
    assert.throws(() => sched.newTask(null as never), TypeError);
    const gen = countdown();
    sched.newTask(gen);
    assert.throws(() => sched.newTask(gen), RuntimeError);
    assert.equal(sched.size, 1);
  });

  test('accepts any iterator, not only generators', async () => {
    let calls = 0;
    const iterator: Iterator<number> = {
      next: () => (++calls <= 3 ? { done: false, value: calls } : { done: true, value: undefined }),
    };
    const sched = new Scheduler();
    sched.newTask(iterator);
    assert.equal(await sched.run(), true);
    assert.equal(calls, 4);
  });
});

describe('Scheduler: errors, stop, timeout, signal', OPTIONS, () => {
  test('a task that throws rejects run() at once; the others stay and run() again resumes them', async () => {
    const failure = new Error('task failed');
    const log: string[] = [];
    const sched = new Scheduler();
    sched.newTask(
      (function* () {
        for (let i = 1; i <= 3; i++) {
          log.push(`steady ${i}`);
          yield;
        }
      })(),
    );
    sched.newTask(
      (function* () {
        log.push('faulty');
        yield;
        throw failure;
      })(),
    );
    await assert.rejects(sched.run(), (err) => err === failure);
    assert.deepEqual(log, ['steady 1', 'faulty', 'steady 2']);
    assert.equal(sched.size, 1);
    assert.equal(sched.running, false);
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, ['steady 1', 'faulty', 'steady 2', 'steady 3']);
  });

  test('stop() from inside a task ends the run after that slice; run() again continues', async () => {
    const sched = new Scheduler();
    const log: number[] = [];
    sched.newTask(
      (function* () {
        for (let i = 1; i <= 4; i++) {
          log.push(i);
          if (i === 2) sched.stop();
          yield;
        }
      })(),
    );
    assert.equal(await sched.run(), false);
    assert.deepEqual(log, [1, 2]);
    assert.equal(sched.size, 1);
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, [1, 2, 3, 4]);
  });

  test('stop() with no run in progress does nothing', async () => {
    const sched = new Scheduler();
    sched.stop();
    sched.newTask((function* () {})());
    assert.equal(await sched.run(), true);
  });

  test('a second run() while one is in progress rejects with RuntimeError', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    const first = sched.run();
    assert.equal(sched.running, true);
    await assert.rejects(sched.run(), RuntimeError);
    sched.stop();
    assert.equal(await first, false);
    assert.equal(sched.running, false);
  });

  test('timeout: the run gives up, resolving false, and the tasks stay', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    assert.equal(await sched.run({ timeout: 20 }), false);
    assert.ok(counter.steps > 0, 'the tasks ran before the timeout');
    assert.equal(sched.size, 1);
    const before = counter.steps;
    assert.equal(await sched.run({ timeout: 0 }), false);
    assert.equal(counter.steps, before, 'timeout 0 runs nothing');
  });

  test('signal: an abort rejects with its reason, leaves no listener, and the tasks stay', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    const controller = new AbortController();
    const reason = new Error('user pressed stop');
    const run = sched.run({ signal: controller.signal });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    setTimeout(() => controller.abort(reason), 5);
    await assert.rejects(run, (err) => err === reason);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    assert.equal(sched.size, 1);
    assert.equal(sched.running, false);
  });

  test('an already-aborted signal rejects without running a slice', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    await assert.rejects(
      sched.run({ signal: AbortSignal.abort('too late') }),
      (err) => err === 'too late',
    );
    assert.equal(counter.steps, 0);
  });

  test('invalid options make run() reject, never throw', async () => {
    const sched = new Scheduler();
    sched.newTask((function* () {})());
    await assert.rejects(sched.run({ timeout: -1 }), RangeError);
    await assert.rejects(sched.run({ timeout: Number.NaN }), TypeError);
    await assert.rejects(sched.run({ signal: 'x' as never }), TypeError);
    await assert.rejects(sched.run(5 as never), TypeError);
    assert.equal(sched.size, 1);
  });

  test('inside a spawned task, killing the task ends its run with the kill reason', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    const task = spawn(() => sched.run());
    setTimeout(() => void task.kill(), 5);
    await task.join();
    assert.ok(task.exception instanceof CancelledError, `exception: ${task.exception}`);
    assert.equal(sched.running, false);
    assert.equal(sched.size, 1);
  });

  test('constructor options are checked', () => {
    assert.throws(() => new Scheduler({ budget: -1 }), RangeError);
    assert.throws(() => new Scheduler({ budget: Number.NaN }), TypeError);
    assert.throws(() => new Scheduler({ budget: '5' as never }), TypeError);
    assert.throws(() => new Scheduler(3 as never), TypeError);
    assert.doesNotThrow(() => new Scheduler({ budget: 0 }));
    assert.doesNotThrow(() => new Scheduler({ budget: Number.POSITIVE_INFINITY }));
  });
});

describe('Scheduler: the event loop stays alive during a run', OPTIONS, () => {
  test('a timer set before an endless run fires during it (here it stops the run)', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    sched.newTask(forever(counter));
    setTimeout(() => sched.stop(), 1);
    assert.equal(await sched.run(), false);
    assert.equal(sched.size, 2);
  });

  test('a setImmediate callback fires while a long finite run is still going', async () => {
    const sched = new Scheduler();
    let fired = false;
    let stepsAfterFired = 0;
    sched.newTask(
      (function* () {
        // Ends only some slices after the callback has run, so it must run mid-run (or gives
        // up after many slices, failing the test instead of hanging it).
        for (let i = 0; i < 20_000_000 && stepsAfterFired < 10; i++) {
          if (fired) stepsAfterFired++;
          yield;
        }
      })(),
    );
    setImmediate(() => {
      fired = true;
    });
    assert.equal(await sched.run(), true);
    assert.equal(stepsAfterFired, 10);
  });

  test('I/O completes during a run: a task waits on a promise that a timer chain resolves', async () => {
    const sched = new Scheduler();
    const counter = { steps: 0 };
    sched.newTask(forever(counter));
    let got: string | undefined;
    sched.newTask(
      (function* (): Generator<unknown, void, string> {
        got = yield new Promise((resolve) => setTimeout(resolve, 2, 'data'));
        sched.stop();
      })(),
    );
    assert.equal(await sched.run(), false);
    assert.equal(got, 'data');
  });

  test('budget 0 gives the event loop a turn after every slice', async () => {
    const sched = new Scheduler({ budget: 0 });
    let fired = false;
    const seen: boolean[] = [];
    sched.newTask(
      (function* () {
        for (let i = 0; i < 3; i++) {
          seen.push(fired);
          yield;
        }
      })(),
    );
    setImmediate(() => {
      fired = true;
    });
    await sched.run();
    assert.deepEqual(seen, [false, true, true]);
  });

  test('budget Infinity never gives the event loop a turn while tasks are ready', async () => {
    const sched = new Scheduler({ budget: Number.POSITIVE_INFINITY });
    let fired = false;
    let firedDuringRun = false;
    sched.newTask(
      (function* () {
        for (let i = 0; i < 10_000; i++) {
          if (fired) firedDuringRun = true;
          yield;
        }
      })(),
    );
    setImmediate(() => {
      fired = true;
    });
    await sched.run();
    assert.equal(firedDuringRun, false);
  });
});
