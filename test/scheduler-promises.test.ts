// Scheduler: tasks that yield promises are parked until they settle while the others run;
// async generators are tasks too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scheduler } from '../src/index.js';

const OPTIONS = { timeout: 10_000 };

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Scheduler: promises and async generators', OPTIONS, () => {
  test('a task that yields a promise is parked while the others keep running', async () => {
    const log: string[] = [];
    const reply = deferred<string>();
    const sched = new Scheduler();
    sched.newTask(
      (function* (): Generator<unknown, void, string> {
        log.push('asker waits');
        log.push(`asker got ${yield reply.promise}`);
      })(),
    );
    sched.newTask(
      (function* () {
        for (let i = 1; i <= 3; i++) {
          log.push(`worker ${i}`);
          yield;
        }
        reply.resolve('the answer');
      })(),
    );
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, [
      'asker waits',
      'worker 1',
      'worker 2',
      'worker 3',
      'asker got the answer',
    ]);
  });

  test('run() waits for parked tasks when nothing else is ready', async () => {
    const sched = new Scheduler();
    let result: unknown;
    sched.newTask(
      (function* (): Generator<unknown, void, string> {
        result = yield new Promise((resolve) => setTimeout(resolve, 5, 'late'));
      })(),
    );
    assert.equal(await sched.run(), true);
    assert.equal(result, 'late');
  });

  test('a task added from outside while the run waits for parked tasks runs at once', async () => {
    const gate = deferred<string>();
    const sched = new Scheduler();
    let got: string | undefined;
    sched.newTask(
      (function* (): Generator<unknown, void, string> {
        got = yield gate.promise;
      })(),
    );
    setTimeout(() => {
      sched.newTask(
        (function* () {
          yield;
          gate.resolve('opened by the newcomer');
        })(),
      );
    }, 2);
    assert.equal(await sched.run(), true);
    assert.equal(got, 'opened by the newcomer');
  });

  test('a rejection is thrown into the task at its yield, which may catch it', async () => {
    const sched = new Scheduler();
    const failure = new Error('lookup failed');
    let caught: unknown;
    let after = false;
    sched.newTask(
      (function* (): Generator<unknown, void, unknown> {
        try {
          yield Promise.reject(failure);
        } catch (err) {
          caught = err;
        }
        yield;
        after = true;
      })(),
    );
    assert.equal(await sched.run(), true);
    assert.equal(caught, failure);
    assert.equal(after, true);
  });

  test('an uncaught rejection fails the task and the run', async () => {
    const sched = new Scheduler();
    const failure = new Error('lookup failed');
    sched.newTask(
      (function* (): Generator<unknown, void, unknown> {
        yield Promise.reject(failure);
      })(),
    );
    await assert.rejects(sched.run(), (err) => err === failure);
    assert.equal(sched.size, 0);
  });

  test('an iterator without throw() ends when a promise it yielded rejects', async () => {
    const failure = new Error('no');
    let sent = false;
    const iterator: Iterator<unknown> = {
      next: () => {
        if (sent) throw new Error('must not be resumed');
        sent = true;
        return { done: false, value: Promise.reject(failure) };
      },
    };
    const sched = new Scheduler();
    sched.newTask(iterator);
    await assert.rejects(sched.run(), (err) => err === failure);
    assert.equal(sched.size, 0);
  });

  test('a parked task whose promise settles between runs resumes at the next run', async () => {
    const reply = deferred<string>();
    const sched = new Scheduler();
    let got: string | undefined;
    sched.newTask(
      (function* (): Generator<unknown, void, string> {
        got = yield reply.promise;
      })(),
    );
    assert.equal(await sched.run({ timeout: 5 }), false);
    assert.equal(sched.size, 1);
    reply.resolve('hello');
    await reply.promise;
    assert.equal(got, undefined, 'no task code runs outside run()');
    assert.equal(await sched.run(), true);
    assert.equal(got, 'hello');
  });

  test('async generators are tasks too: others run while one awaits', async () => {
    const log: string[] = [];
    const gate = deferred<void>();
    const sched = new Scheduler();
    sched.newTask(
      (async function* () {
        log.push('async starts');
        await gate.promise;
        log.push('async resumed');
        yield;
        log.push('async ends');
      })(),
    );
    sched.newTask(
      (function* () {
        log.push('sync 1');
        yield;
        log.push('sync 2');
        gate.resolve();
      })(),
    );
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, ['async starts', 'sync 1', 'sync 2', 'async resumed', 'async ends']);
    assert.equal(sched.size, 0);
  });

  test('an async generator that throws fails the run', async () => {
    const failure = new Error('async boom');
    const sched = new Scheduler();
    sched.newTask(
      (async function* () {
        await null;
        yield;
        throw failure;
      })(),
    );
    await assert.rejects(sched.run(), (err) => err === failure);
    assert.equal(sched.size, 0);
  });
});
