// Portable functions: marking, the checks at the call, finding the export, loading it back, and
// errors that keep their class, message, stack, cause and fields across a boundary.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeError,
  encodeError,
  isPortable,
  portable,
  QueueEmpty,
  WorkerCrashedError,
} from '../src/index.js';
import { loadTarget } from '../src/portable/load.js';
import { checkTarget, locate } from '../src/portable/portable.js';
import { double, hiddenRef, plain, renamed } from './fixtures/portable-fns.js';

const FIXTURE = new URL('./fixtures/portable-fns.ts', import.meta.url).href;

describe('portable', () => {
  test('returns the function itself, still callable, and marked', () => {
    assert.equal(double(21), 42);
    assert.equal(isPortable(double), true);
    assert.equal(isPortable(plain), false);
  });

  test('refuses a missing URL or a non-function with a TypeError that says what to pass', () => {
    assert.throws(() => portable('tasks.ts', plain), /pass import\.meta\.url/);
    assert.throws(() => portable(import.meta.url, 42 as never), /fn must be a function/);
  });

  test('checkTarget refuses an unmarked function and says how to mark it', () => {
    assert.throws(
      () => checkTarget(plain, 'submit'),
      (err: Error) =>
        err instanceof TypeError &&
        /submit: function plain cannot run in another thread/.test(err.message) &&
        /export const plain = portable\(import\.meta\.url/.test(err.message),
    );
    assert.throws(() => checkTarget(() => 1, 'submit'), TypeError);
    assert.throws(() => checkTarget({ module: FIXTURE }, 'submit'), /{ module, name }/);
    checkTarget(double, 'submit');
    checkTarget({ module: FIXTURE, name: 'plain' }, 'submit');
  });

  test('locate finds the export name, also for an arrow function marked inline', async () => {
    assert.deepEqual(await locate(double, 'submit'), { module: FIXTURE, name: 'double' });
    assert.deepEqual(await locate(renamed, 'submit'), { module: FIXTURE, name: 'renamed' });
  });

  test('locate refuses a marked function that is not exported', async () => {
    await assert.rejects(locate(hiddenRef.fn, 'submit'), /is marked portable but is not exported/);
  });

  test('loadTarget imports the module and returns the export; a missing one is a TypeError', async () => {
    const fn = await loadTarget({ module: FIXTURE, name: 'plain' });
    assert.equal(fn(1), 2);
    await assert.rejects(
      loadTarget({ module: FIXTURE, name: 'nope' }),
      /no function export named "nope"/,
    );
  });
});

describe('error codec', () => {
  test('a user error class keeps its name, message, stack, cause and own fields', () => {
    class DiskFull extends Error {
      override name = 'DiskFull';
      code = 'ENOSPC';
      bytes = 1024;
    }
    const original = new DiskFull('no space left', { cause: new RangeError('quota') });
    const copy = decodeError(structuredClone(encodeError(original))) as Error &
      Record<string, unknown>;
    assert.ok(copy instanceof Error);
    assert.equal(copy.name, 'DiskFull');
    assert.equal(copy.message, 'no space left');
    assert.equal(copy.stack, original.stack);
    assert.equal(copy.code, 'ENOSPC');
    assert.equal(copy.bytes, 1024);
    assert.ok(copy.cause instanceof RangeError);
    assert.equal((copy.cause as Error).message, 'quota');
  });

  test("built-in and weft's own classes come back as themselves", () => {
    assert.ok(decodeError(structuredClone(encodeError(new TypeError('t')))) instanceof TypeError);
    const weft = decodeError(structuredClone(encodeError(new QueueEmpty('empty'))));
    assert.ok(weft instanceof QueueEmpty);
    const crashed = decodeError(structuredClone(encodeError(new WorkerCrashedError('gone'))));
    assert.ok(crashed instanceof WorkerCrashedError);
  });

  test('an AggregateError keeps its members; fields that cannot be cloned are left out', () => {
    const agg = new AggregateError([new Error('a'), new TypeError('b')], 'two');
    Object.assign(agg, { callback: () => 1, tag: 'kept' });
    const copy = decodeError(structuredClone(encodeError(agg))) as AggregateError &
      Record<string, unknown>;
    assert.ok(copy instanceof AggregateError);
    assert.deepEqual(
      copy.errors.map((e: Error) => [e.name, e.message]),
      [
        ['Error', 'a'],
        ['TypeError', 'b'],
      ],
    );
    assert.equal(copy.tag, 'kept');
    assert.equal(copy.callback, undefined);
  });

  test('values that are not errors pass through unchanged', () => {
    assert.equal(decodeError(encodeError('a string')), 'a string');
    assert.deepEqual(decodeError(encodeError({ x: 1 })), { x: 1 });
  });
});
