// The multiprocessing.Pool contract (CPython's test_multiprocessing _TestPool behaviours, in
// our own words), run against every pool: ThreadPool over worker threads, Pool over child
// processes. Tasks come from test/fixtures/pool-tasks.ts and need nothing but their
// arguments, so the same suite runs in either scope. Lifecycle behaviours (close, terminate,
// join, options) are in pool-lifecycle.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BasePool, type PoolOptions, RuntimeError, TimeoutError } from '../../src/index.js';
import {
  failStock,
  getGreeting,
  mul,
  sleepItem,
  sleepThen,
  square,
  squareNonNegative,
  unmarkedSquare,
} from '../fixtures/pool-tasks.js';
import { poolLifecycleContract } from './pool-lifecycle.js';

/** One pool implementation the contract runs against. */
export interface PoolImpl {
  name: string;
  create(processes?: number, options?: PoolOptions): BasePool;
}

/**
 * Per suite, a last guard against a hang only: a suite of a process pool starts many workers,
 * and at load 20 one took 20 s where a quiet machine takes 2.
 */
export const POOL_TEST = { timeout: 300_000 } as const;

/** Python's exception_throwing_generator: yields 0..n-1, then throws at `n`. */
export function* throwingAt(n: number): Generator<number> {
  for (let i = 0; ; i++) {
    if (i === n) throw new SyntaxError(`input failed at ${i}`);
    yield i;
  }
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

/** Every value an iteration yields before it throws, and what it threw. */
export async function collectUntilError<T>(
  iterable: AsyncIterable<T>,
): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of iterable) values.push(value);
  } catch (error) {
    return { values, error };
  }
  assert.fail('the iteration ended without an error');
}

export function poolContract(impl: PoolImpl): void {
  // The stateless behaviours share one pool; those that stop a pool make their own.
  let pool: BasePool;
  before(() => {
    pool = impl.create(2);
  });
  after(() => pool.terminate());

  describe(`${impl.name}: apply and applyAsync`, POOL_TEST, () => {
    test('apply resolves with the value of fn(...args) run in a worker', async () => {
      assert.equal(await pool.apply(square, [5]), 25);
      assert.equal(await pool.apply(mul, [6, 7]), 42);
      assert.equal(await pool.apply(getGreeting), 'not initialized');
    });

    test('apply rejects with the error the task threw: class name, message and fields', async () => {
      await assert.rejects(pool.apply(failStock, ['bolts']), (error: Error & { sku: string }) => {
        assert.equal(error.name, 'StockError');
        assert.equal(error.message, 'out of bolts');
        assert.equal(error.sku, 'bolts');
        return true;
      });
    });

    test('apply rejects (never throws) for an unmarked function or args that are not an array', async () => {
      const call = pool.apply(unmarkedSquare as never, [2] as never);
      await assert.rejects(call, TypeError);
      await assert.rejects(pool.apply(square, 5 as never), /args must be an array/);
    });

    test('applyAsync refuses at the call what cannot run in a worker', () => {
      assert.throws(() => pool.applyAsync(unmarkedSquare as never, [2] as never), TypeError);
      assert.throws(() => pool.applyAsync(sleepThen, [1, () => 1]), /cannot cross/);
      assert.throws(() => pool.applyAsync(square, [1], { callback: 'no' as never }), TypeError);
    });

    test('applyAsync returns at once; get() gives the value and the result reports ready and successful', async () => {
      const result = pool.applyAsync(sleepThen, [20, 'value']);
      assert.equal(result.ready(), false);
      assert.throws(() => result.successful(), RuntimeError);
      assert.equal(await result.get(), 'value');
      assert.equal(result.ready(), true);
      assert.equal(result.successful(), true);
      assert.equal(await result.wait(), true);
      assert.equal(await result, 'value', 'an AsyncResult is awaitable');
    });

    test('get({ timeout }) rejects with TimeoutError without stopping the task; a later get() has its value', async () => {
      const result = pool.applyAsync(sleepThen, [200, 'late']);
      await assert.rejects(result.get({ timeout: 10 }), TimeoutError);
      assert.equal(await result.wait({ timeout: 5 }), false);
      assert.equal(result.ready(), false);
      assert.equal(await result.get(), 'late');
    });

    test('get() of a failed task rejects with its error; successful() is then false', async () => {
      const result = pool.applyAsync(failStock, ['nuts']);
      await assert.rejects(result.get(), { name: 'StockError', message: 'out of nuts' });
      assert.equal(result.successful(), false);
      assert.equal(await result.wait(), true);
    });

    test('callback runs with the value before get() resolves; errorCallback with the error', async () => {
      const seen: unknown[] = [];
      const record = (tag: string, outcome: unknown) => seen.push([tag, outcome]);
      const ok = pool.applyAsync(square, [9], {
        callback: (value) => record('ok', value),
        errorCallback: (error) => record('error', error),
      });
      assert.equal(await ok.get(), 81);
      assert.deepEqual(seen, [['ok', 81]]);
      seen.length = 0;
      const failed = pool.applyAsync(failStock, ['pins'], {
        callback: (value) => record('ok', value),
        errorCallback: (error) => record('error', error),
      });
      const error = await failed.get().catch((caught: unknown) => caught);
      assert.deepEqual(seen, [['error', error]]);
      assert.equal((error as Error).message, 'out of pins');
    });

    test('a callback that throws is reported as a warning; its result and the others are still delivered', async () => {
      const warnings: Error[] = [];
      const onWarning = (warning: Error & { code?: string }) => {
        if (warning.code === 'WEFT_CALLBACK_ERROR') warnings.push(warning);
      };
      process.on('warning', onWarning);
      try {
        const broken = pool.applyAsync(square, [3], {
          callback: () => {
            throw new Error('callback bug');
          },
        });
        const fine = pool.applyAsync(square, [4], { callback: () => undefined });
        assert.deepEqual(await Promise.all([broken.get(), fine.get()]), [9, 16]);
        assert.equal(broken.successful(), true);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(warnings.length, 1);
        assert.equal(warnings[0]!.name, 'PoolCallbackError');
        assert.match(warnings[0]!.message, /callback bug/);
      } finally {
        process.off('warning', onWarning);
      }
    });
  });

  describe(`${impl.name}: map, mapAsync, starmap`, POOL_TEST, () => {
    test('map resolves with fn(item) for every item, in input order, whatever the chunksize', async () => {
      assert.deepEqual(
        await pool.map(square, range(10)),
        range(10).map((x) => x * x),
      );
      assert.deepEqual(
        await pool.map(square, range(100), 20),
        range(100).map((x) => x * x),
      );
      assert.deepEqual(await pool.map(square, new Set([3, 1, 2]), 1), [9, 1, 4]);
    });

    test('map and mapAsync of an empty input give an empty array', async () => {
      assert.deepEqual(await pool.map(square, []), []);
      assert.deepEqual(await pool.mapAsync(square, [], { chunksize: 1 }).get(), []);
      assert.deepEqual(await pool.starmap(mul, []), []);
    });

    test('map rejects with the first error in input order, with its class and message', async () => {
      await assert.rejects(pool.map(squareNonNegative, [1, -2, 3, -4]), {
        name: 'RangeError',
        message: 'negative: -2',
      });
      await assert.rejects(pool.map(squareNonNegative, [1, 2, 3, -4, 5, 6], 3), {
        message: 'negative: -4',
      });
    });

    test('an input that throws while it is read makes map reject with its error', async () => {
      for (const chunksize of [1, 2, 10]) {
        await assert.rejects(pool.map(square, throwingAt(5), chunksize), {
          name: 'SyntaxError',
          message: 'input failed at 5',
        });
      }
      assert.throws(() => pool.mapAsync(square, throwingAt(0)), SyntaxError);
    });

    test('map refuses a bad chunksize or input (rejecting), mapAsync at the call (throwing)', async () => {
      await assert.rejects(pool.map(square, [1], 0), RangeError);
      await assert.rejects(pool.map(square, 5 as never), TypeError);
      assert.throws(() => pool.mapAsync(square, [1], { chunksize: 1.5 }), RangeError);
      assert.throws(() => pool.mapAsync(square, [1], { errorCallback: 1 as never }), TypeError);
    });

    test('mapAsync gives the whole list to get() and to its callback; a failure to errorCallback', async () => {
      const lists: number[][] = [];
      const result = pool.mapAsync(square, range(7), {
        chunksize: 2,
        callback: (values) => lists.push(values),
      });
      assert.deepEqual(await result.get(), [0, 1, 4, 9, 16, 25, 36]);
      assert.deepEqual(lists, [[0, 1, 4, 9, 16, 25, 36]]);
      const errors: unknown[] = [];
      const failed = pool.mapAsync(squareNonNegative, [2, -1], {
        errorCallback: (error) => errors.push(error),
      });
      await assert.rejects(failed.get(), { name: 'RangeError', message: 'negative: -1' });
      assert.equal(errors.length, 1);
      assert.equal(failed.successful(), false);
    });

    test('starmap calls fn(...args) for every array of arguments, in order', async () => {
      const pairs = range(10).map((i): [number, number] => [i, 10 - i]);
      const products = pairs.map(([x, y]) => x * y);
      assert.deepEqual(await pool.starmap(mul, pairs), products);
      assert.deepEqual(await pool.starmap(mul, pairs, 6), products);
      assert.deepEqual(await pool.starmapAsync(mul, pairs, { chunksize: 3 }).get(), products);
    });

    test('starmap refuses an item that is not an array of arguments, naming it', async () => {
      await assert.rejects(pool.starmap(mul, [[1, 2], 3 as never]), /item 1 of the input/);
      assert.throws(() => pool.starmapAsync(mul, [5 as never]), TypeError);
    });
  });

  describe(`${impl.name}: imap and imapUnordered`, POOL_TEST, () => {
    test('imap yields fn(item) in input order, whatever the chunksize', async () => {
      assert.deepEqual(
        await collect(pool.imap(square, range(10))),
        range(10).map((x) => x * x),
      );
      const big = range(1000);
      assert.deepEqual(
        await collect(pool.imap(square, big, 100)),
        big.map((x) => x * x),
      );
      assert.deepEqual(await collect(pool.imap(square, [])), []);
    });

    test('imap yields the results before an input that throws, then its error', async () => {
      for (const chunksize of [1, 2]) {
        const { values, error } = await collectUntilError(
          pool.imap(square, throwingAt(5), chunksize),
        );
        assert.deepEqual(values, [0, 1, 4, 9, 16]);
        assert.equal((error as Error).message, 'input failed at 5');
      }
    });

    test('imap yields the results before a task that fails, then its error', async () => {
      const { values, error } = await collectUntilError(
        pool.imap(squareNonNegative, [1, 2, -3, 4]),
      );
      assert.deepEqual(values, [1, 4]);
      assert.equal((error as Error).name, 'RangeError');
    });

    test('imap reads an async iterable, and reads an endless input only as far as it is consumed', async () => {
      async function* numbers() {
        for (let i = 0; i < 5; i++) yield i;
      }
      assert.deepEqual(await collect(pool.imap(square, numbers())), [0, 1, 4, 9, 16]);
      let pulled = 0;
      let closed = false;
      function* endless() {
        try {
          for (;;) yield pulled++;
        } finally {
          closed = true;
        }
      }
      const taken: number[] = [];
      for await (const value of pool.imap(square, endless())) {
        taken.push(value);
        if (taken.length === 3) break;
      }
      assert.deepEqual(taken, [0, 1, 4]);
      assert.ok(closed, 'leaving the loop closes the input');
      assert.ok(pulled < 10_000, `pulled ${pulled} items for 3 results`);
    });

    test('imapUnordered yields every result exactly once, whatever the chunksize', async () => {
      const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
      assert.deepEqual(
        sorted(await collect(pool.imapUnordered(square, range(100)))),
        range(100).map((x) => x * x),
      );
      assert.deepEqual(
        sorted(await collect(pool.imapUnordered(square, range(1000), 53))),
        range(1000).map((x) => x * x),
      );
      assert.deepEqual(await collect(pool.imapUnordered(square, [])), []);
    });

    test('imapUnordered reads an async iterable that is slower than the tasks', async () => {
      async function* trickle() {
        for (let i = 0; i < 10; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield i;
        }
      }
      for (const chunksize of [1, 3]) {
        const values = await collect(pool.imapUnordered(square, trickle(), chunksize));
        assert.deepEqual(
          values.sort((a, b) => a - b),
          range(10).map((x) => x * x),
        );
      }
    });

    test('imapUnordered yields results as they finish: a slow first task does not hold back the others', async () => {
      // A pool of its own: the slow task is stopped at the end instead of holding a worker.
      const own = impl.create(2);
      try {
        const items: [number, string][] = [
          [60_000, 'slow'],
          ...range(4).map((i): [number, string] => [0, `fast ${i}`]),
        ];
        const iteration = own.imapUnordered(sleepItem, items);
        const { value } = await iteration.next();
        assert.match(String(value), /^fast/);
        await iteration.return?.();
      } finally {
        await own.terminate();
      }
    });

    test('imapUnordered yields the results of the items read before an input that throws, then its error', async () => {
      const { values, error } = await collectUntilError(pool.imapUnordered(square, throwingAt(4)));
      assert.deepEqual(
        [...values].sort((a, b) => a - b),
        [0, 1, 4, 9],
      );
      assert.equal((error as Error).name, 'SyntaxError');
    });
  });

  poolLifecycleContract(impl);
}
