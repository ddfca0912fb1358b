// How a task follows what its function returns: a native promise is followed without a closure
// per task (its reactions find the task as the current identity), anything else through one.
// Each task must end with its own outcome, whoever settles the promise and in whatever order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currentTask, joinAll, spawn, type Task } from '../src/index.js';
import { TEST_OPTIONS, tick } from './support/async-helpers.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('a task follows what its function returns', TEST_OPTIONS, () => {
  test('promises settled in reverse order, from outside any task, end each task with its own outcome', async () => {
    const pending = Array.from({ length: 50 }, () => deferred<number>());
    const tasks = pending.map((d) => spawn(() => d.promise));
    await tick();
    for (let i = pending.length - 1; i >= 0; i--) {
      if (i % 3 === 0) pending[i]!.reject(new Error(`no ${i}`));
      else pending[i]!.resolve(i);
    }
    await joinAll(tasks);
    tasks.forEach((task, i) => {
      if (i % 3 === 0) assert.equal((task.exception as Error).message, `no ${i}`);
      else assert.equal(task.value, i);
    });
  });

  test('a promise settled from inside another task still ends the task that returned it', async () => {
    const d = deferred<string>();
    const waiting = spawn.named('waiting', () => d.promise);
    let settler: Task | undefined;
    const other = spawn.named('settler', async () => {
      await tick();
      settler = currentTask();
      d.resolve('mine');
    });
    await joinAll([waiting, other]);
    assert.equal(settler, other);
    assert.equal(waiting.value, 'mine');
    assert.equal(other.value, undefined);
  });

  test('one promise returned by many tasks ends all of them', async () => {
    const d = deferred<number>();
    const tasks = Array.from({ length: 20 }, () => spawn(() => d.promise));
    await tick();
    d.resolve(7);
    await joinAll(tasks);
    for (const task of tasks) assert.equal(task.value, 7);
  });

  test('a Promise subclass and a plain thenable are followed too', async () => {
    class Tagged<T> extends Promise<T> {}
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise, on purpose.
      then(onFulfilled: (value: string) => void) {
        setTimeout(() => onFulfilled('thenable'), 1);
      },
    };
    const sub = spawn(() => Tagged.resolve('subclass'));
    const plain = spawn(() => thenable as PromiseLike<string>);
    assert.equal(await sub, 'subclass');
    assert.equal(await plain, 'thenable');
  });

  test('the identity inside the body and after its awaits is the task, before and after it ends', async () => {
    const seen: (Task | undefined)[] = [];
    const task = spawn(async () => {
      seen.push(currentTask());
      await tick();
      seen.push(currentTask());
      return 1;
    });
    assert.equal(await task, 1);
    assert.deepEqual(seen, [task, task]);
    assert.equal(currentTask(), undefined);
  });
});
