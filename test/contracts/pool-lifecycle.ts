// The pool contract, part two: construction and options, close, terminate, join and
// `await using` (CPython's test_multiprocessing _TestPool and _TestPoolWorkerLifetime
// behaviours, in our own words). Every test makes its own pool and terminates it at the end.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BasePool, CancelledError, type PoolOptions, RuntimeError } from '../../src/index.js';
import {
  getGreeting,
  initGreeting,
  sleepItem,
  sleepThen,
  square,
  squareNonNegative,
  whereAmI,
} from '../fixtures/pool-tasks.js';
import { collect, collectUntilError, POOL_TEST, type PoolImpl, range } from './pool.js';

export function poolLifecycleContract(impl: PoolImpl): void {
  /** Runs `body` with a fresh pool, terminated afterwards whatever happens. */
  const withPool =
    (
      processes: number,
      options: PoolOptions | undefined,
      body: (pool: BasePool) => Promise<void>,
    ) =>
    async () => {
      const pool = impl.create(processes, options);
      try {
        await body(pool);
      } finally {
        await pool.terminate();
      }
    };

  describe(`${impl.name}: construction`, POOL_TEST, () => {
    test('processes must be a whole number of at least 1', () => {
      assert.throws(() => impl.create(0), RangeError);
      assert.throws(() => impl.create(-1), RangeError);
      assert.throws(() => impl.create(1.5), RangeError);
      assert.throws(() => impl.create('2' as never), TypeError);
    });

    test('options are checked: unknown names, initializer, initArgs, maxTasksPerChild', () => {
      assert.throws(() => impl.create(1, { maxtasksperchild: 2 } as never), /unknown option/);
      assert.throws(() => impl.create(1, { initializer: (() => 1) as never }), TypeError);
      assert.throws(
        () => impl.create(1, { initializer: initGreeting, initArgs: 'hi' as never }),
        TypeError,
      );
      assert.throws(() => impl.create(1, { maxTasksPerChild: 0 }), RangeError);
      assert.throws(() => impl.create(1, 5 as never), TypeError);
    });

    test(
      'processes says how many workers run at once',
      withPool(3, undefined, async (pool) => {
        assert.equal(pool.processes, 3);
      }),
    );

    test(
      'the initializer runs with initArgs in every worker before its tasks',
      withPool(2, { initializer: initGreeting, initArgs: ['hello'] }, async (pool) => {
        const greetings = await Promise.all(range(4).map(() => pool.apply(getGreeting)));
        assert.deepEqual(greetings, ['hello', 'hello', 'hello', 'hello']);
      }),
    );

    test(
      'maxTasksPerChild replaces a worker after that many tasks',
      withPool(1, { maxTasksPerChild: 2 }, async (pool) => {
        const workers = [];
        for (let i = 0; i < 4; i++) workers.push(await pool.apply(whereAmI));
        assert.equal(new Set(workers).size, 2, `workers: ${workers.join(' ')}`);
        assert.equal(workers[0], workers[1]);
        assert.equal(workers[2], workers[3]);
      }),
    );
  });

  describe(`${impl.name}: close, terminate, join`, POOL_TEST, () => {
    test(
      'join() while the pool runs rejects with RuntimeError (Python: ValueError)',
      withPool(1, undefined, async (pool) => {
        const running = pool.applyAsync(sleepThen, [20, 'done']);
        await assert.rejects(pool.join(), RuntimeError);
        assert.equal(await running.get(), 'done');
      }),
    );

    test(
      'close() then join(): the work submitted before still finishes, then join resolves',
      withPool(2, undefined, async (pool) => {
        const results = range(4).map((i) => pool.applyAsync(sleepThen, [30, i]));
        const mapped = pool.mapAsync(square, range(10), { chunksize: 1 });
        pool.close();
        await pool.join();
        assert.ok(results.every((result) => result.ready() && result.successful()));
        assert.deepEqual(await Promise.all(results.map((result) => result.get())), range(4));
        assert.deepEqual(
          await mapped.get(),
          range(10).map((x) => x * x),
        );
      }),
    );

    test(
      'a map that failed leaves the pool working; close() and join() then finish',
      withPool(1, undefined, async (pool) => {
        await assert.rejects(pool.map(squareNonNegative, [-1, ...range(20)], 1), RangeError);
        assert.equal(await pool.apply(square, [4]), 16);
        pool.close();
        await pool.join();
      }),
    );

    test(
      'after close() every way of adding work is refused with RuntimeError',
      withPool(1, undefined, async (pool) => {
        pool.close();
        pool.close(); // twice is fine
        await assert.rejects(pool.apply(square, [1]), RuntimeError);
        await assert.rejects(pool.map(square, [1]), RuntimeError);
        await assert.rejects(pool.starmap(square, [[1]]), RuntimeError);
        assert.throws(() => pool.applyAsync(square, [1]), /not running/);
        assert.throws(() => pool.mapAsync(square, [1]), RuntimeError);
        assert.throws(() => pool.starmapAsync(square, [[1]]), RuntimeError);
        assert.throws(() => pool.imap(square, [1]), RuntimeError);
        assert.throws(() => pool.imapUnordered(square, [1]), RuntimeError);
        await pool.join();
      }),
    );

    test(
      'an imap not read yet when the pool closes still runs all of its input; it can be read after join',
      withPool(2, undefined, async (pool) => {
        const iteration = pool.imap(square, range(300));
        const unordered = pool.imapUnordered(square, range(50), 7);
        pool.close();
        await pool.join();
        assert.deepEqual(
          await collect(iteration),
          range(300).map((x) => x * x),
        );
        assert.equal((await collect(unordered)).length, 50);
      }),
    );

    test(
      'terminate() stops running tasks: their results reject with CancelledError, and join resolves',
      withPool(2, undefined, async (pool) => {
        const running = range(2).map(() => pool.applyAsync(sleepThen, [60_000, 'never']));
        const queued = pool.mapAsync(sleepThen, range(1000), { chunksize: 1 });
        const errors: unknown[] = [];
        const withCallback = pool.applyAsync(sleepThen, [60_000], {
          errorCallback: (error) => errors.push(error),
        });
        await pool.terminate();
        await pool.join();
        for (const result of [...running, queued, withCallback]) {
          await assert.rejects(result.get(), CancelledError);
        }
        assert.ok(errors[0] instanceof CancelledError);
        assert.match((errors[0] as Error).message, /terminate\(\)/);
        assert.throws(() => pool.applyAsync(square, [1]), RuntimeError);
      }),
    );

    test(
      'terminate() ends an imap iteration with CancelledError after the results it had',
      withPool(1, undefined, async (pool) => {
        const items: [number, string][] = [
          [0, 'first'],
          [60_000, 'never'],
        ];
        const iteration = pool.imap(sleepItem, items);
        assert.deepEqual(await iteration.next(), { done: false, value: 'first' });
        const terminated = pool.terminate();
        const { values, error } = await collectUntilError(iteration);
        assert.deepEqual(values, []);
        assert.ok(error instanceof CancelledError);
        await terminated;
      }),
    );

    test(
      'terminate() after close() stops the work close() was waiting for; join resolves',
      withPool(1, undefined, async (pool) => {
        const result = pool.applyAsync(sleepThen, [60_000]);
        pool.close();
        await pool.terminate();
        await pool.join();
        await assert.rejects(result.get(), CancelledError);
      }),
    );

    test("`await using` terminates the pool at the end of the block, as Python's `with Pool()`", async () => {
      let pool: BasePool | undefined;
      let pending: ReturnType<BasePool['applyAsync']> | undefined;
      {
        await using scoped = impl.create(1);
        pool = scoped;
        assert.equal(await scoped.apply(square, [3]), 9);
        pending = scoped.applyAsync(sleepThen, [60_000]);
      }
      await assert.rejects(pending.get(), CancelledError);
      assert.throws(() => pool.applyAsync(square, [1]), RuntimeError);
      await pool.join();
    });
  });
}
