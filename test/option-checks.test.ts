// Options are checked at the call: a misspelt option is a TypeError naming it and listing the
// options there are (never silently ignored), and every count is an integer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LifoQueue,
  PriorityQueue,
  Process,
  ProcessPoolExecutor,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from '../src/index.js';
import { plusOne } from './fixtures/symbols.js';

describe('unknown options are refused at the call', () => {
  test('executors', () => {
    assert.throws(
      () => new ThreadPoolExecutor({ maxworkers: 2 } as never),
      /new ThreadPoolExecutor\(options\): unknown option "maxworkers"; the options are maxWorkers, .*threadNamePrefix/,
    );
    assert.throws(
      () => new ProcessPoolExecutor({ maxWorkers: 1, maxTasks: 3 } as never),
      /new ProcessPoolExecutor\(options\): unknown option "maxTasks"/,
    );
    assert.throws(
      () => new ProcessPoolExecutor({ resourceLimits: {} } as never),
      /unknown option "resourceLimits"/,
    );
  });

  test('threads and processes, before anything starts', () => {
    assert.throws(
      () => new Thread(plusOne, { bogus: 1 } as never),
      /new Thread\(target, options\): unknown option "bogus"; the options are args, name, daemon, resourceLimits/,
    );
    assert.throws(
      () => new Process(plusOne, { arg: [1] } as never),
      /new Process\(target, options\): unknown option "arg"; the options are args, name, daemon, env, execArgv/,
    );
  });
});

describe('counts are integers', () => {
  test('a queue of maxsize 0.5 is refused, as is NaN; 0 or less means no bound', () => {
    for (const Kind of [Queue, LifoQueue, PriorityQueue]) {
      assert.throws(() => new Kind(0.5), /maxsize must be an integer/);
      assert.throws(() => new Kind(Number.NaN), /maxsize must be an integer/);
      assert.equal(new Kind(-1).full(), false);
      assert.equal(new Kind(2).maxsize, 2);
    }
  });

  test('an executor of 1.5 workers is refused', () => {
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 1.5 }), RangeError);
  });
});
