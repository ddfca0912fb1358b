// A Symbol cannot cross into another thread or process, in either direction. Going in, it is
// a TypeError at the call that names it, before anything starts and with nothing consumed;
// coming back (a result, or what a target threw), the caller gets a TypeError saying so,
// and the worker that ran it goes on serving.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  activeChildren,
  Manager,
  Process,
  ProcessPoolExecutor,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from '../src/index.js';
import { plusOne, returnSymbol, throwSymbol } from './fixtures/symbols.js';
import { endProcesses, run } from './support/process-helpers.js';

after(endProcesses);

describe('a Symbol going in', () => {
  test('as an argument of a Process or Thread: a TypeError at construction naming it; nothing starts', () => {
    const before = activeChildren().length;
    assert.throws(
      () => new Process(plusOne, { args: [Symbol('x') as never] }),
      /argument 0 is Symbol\(x\)/,
    );
    assert.throws(
      () => new Thread(plusOne, { args: [Symbol('y') as never] }),
      /argument 0 is Symbol\(y\)/,
    );
    assert.throws(
      () => new Process(plusOne, { args: [{ deep: [Symbol('z')] } as never] }),
      /Symbol\(z\) at \.deep\[0\]/,
    );
    assert.equal(activeChildren().length, before);
  });

  test('into a manager dict: refused at the call, nothing stored', async () => {
    await using manager = new Manager({ name: 'symbols' });
    const dict = manager.dict<string, unknown>({ kept: 1 });
    await assert.rejects(dict.set('lost', Symbol('v')), /Symbol\(v\)/);
    assert.deepEqual(await dict.toMap(), new Map([['kept', 1]]));
  });

  test('into an executor task: a TypeError at submit, and the pool stays usable', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => executor.submit(plusOne, Symbol('arg') as never), /Symbol\(arg\)/);
    assert.equal(await executor.submit(plusOne, 1).result(), 2);
  });
});

for (const [name, make] of [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 1 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
] as const) {
  describe(`a Symbol coming back from a ${name} task`, () => {
    test('a returned or thrown Symbol fails that task with a TypeError; the worker goes on', async () => {
      await using executor = make();
      await assert.rejects(executor.submit(returnSymbol).result(), TypeError);
      await assert.rejects(executor.submit(throwSymbol).result(), (error: Error) => {
        assert.ok(error instanceof TypeError, `a TypeError, got ${String(error)}`);
        assert.match(error.message, /threw Symbol\(thrown\)/);
        return true;
      });
      assert.equal(await executor.submit(plusOne, 41).result(), 42);
    });
  });
}

describe('a Symbol coming back from a Process target', () => {
  test('thrown: the exception is a TypeError saying what was thrown', async () => {
    const child = await run(new Process(throwSymbol));
    assert.ok(child.exception instanceof TypeError, `a TypeError, got ${String(child.exception)}`);
    assert.match((child.exception as Error).message, /threw Symbol\(thrown\)/);
    assert.equal(child.exitCode, 1);
  });

  test('returned: the exception is a TypeError saying it cannot cross back', async () => {
    const child = await run(new Process(returnSymbol));
    assert.ok(child.exception instanceof TypeError, `a TypeError, got ${String(child.exception)}`);
    assert.equal(child.exitCode, 1);
  });
});

test('a Queue given a Symbol in this thread keeps it: only crossing refuses it', async () => {
  const queue = new Queue<symbol>();
  const item = Symbol('local');
  queue.putNowait(item);
  assert.equal(queue.getNowait(), item);
});
