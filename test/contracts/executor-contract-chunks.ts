// The executor contract, map with many chunks in flight: every worker holds several batches of
// chunks at once (a process worker answers each batch as it ends, while it runs the next), so
// order, a failing chunk in the middle, a worker dying with chunks on hand and an abort must
// all come out as with one chunk at a time. Pool.map (which takes the results a chunk at a
// time) is held to the same.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, describe, test } from 'node:test';
import {
  type BasePool,
  type Executor,
  Pool,
  ThreadPool,
  WorkerCrashedError,
} from '../../src/index.js';
import {
  collect,
  type ExecutorImpl,
  executorHarness,
  range,
  SUITE,
} from '../support/executor-harness.js';
import { collectUntilError } from './pool.js';

/** Items enough that each of 2 workers holds many chunks of 7 at once. */
const COUNT = 20_000;
const CHUNK = 7;

export function executorChunksContract(impl: ExecutorImpl): void {
  const t = impl.tasks;

  describe(`${impl.name}.map: many chunks in flight`, SUITE, () => {
    const { pool } = executorHarness(impl);

    test('results come in input order, chunk after chunk', async () => {
      const executor = pool({ maxWorkers: 2 });
      const items = range(COUNT);
      assert.deepEqual(
        await collect(executor.map(t.square, items, { chunksize: CHUNK })),
        items.map((x) => x * x),
      );
    });

    test('chunks whose calls wait (a promise) and chunks that do not keep their order', async () => {
      const executor = pool({ maxWorkers: 2 });
      const items = range(2_000);
      assert.deepEqual(
        await collect(executor.map(t.squareOddLater, items, { chunksize: CHUNK })),
        items.map((x) => x * x),
      );
    });

    test('an array with holes, or grown while the map reads it, is read as its iterator reads it', async () => {
      const executor = pool({ maxWorkers: 2 });
      const holey = new Array<number | undefined>(1_000);
      for (let i = 0; i < holey.length; i += 2) holey[i] = i;
      assert.deepEqual(await collect(executor.map(t.identity, holey, { chunksize: CHUNK })), [
        ...holey,
      ]);
      // Longer than the window the map reads ahead: what is appended before it reaches the
      // end is mapped too, as a for-of loop over the array would see it.
      const growing = range(2_000);
      const seen: number[] = [];
      for await (const value of executor.map(t.identity, growing, { chunksize: 1 })) {
        if (seen.push(value as number) === 1) growing.push(-1, -2);
      }
      assert.deepEqual(seen, [...range(2_000), -1, -2]);
    });

    /** `fn` mapped over 0..COUNT-1 with -1 at `at`: what came out, and the error. */
    function mapWithNegativeAt(executor: Executor, fn: typeof t.sqrtOrThrow, at: number) {
      const items = range(COUNT);
      items[at] = -1;
      return collectUntilError(executor.map(fn, items, { chunksize: CHUNK }));
    }

    test('an error in a middle chunk ends the iteration after every result before it', async () => {
      const failing = 12_345;
      const { values, error } = await mapWithNegativeAt(
        pool({ maxWorkers: 2 }),
        t.sqrtOrThrow,
        failing,
      );
      assert.deepEqual(values, range(failing).map(Math.sqrt));
      assert.ok(error instanceof RangeError && error.message === 'negative: -1', String(error));
    });

    test('an error at a call that waited ends the iteration after every result before it', async () => {
      const failing = 2_345;
      const items = range(3_000);
      items[failing] = -1;
      const { values, error } = await collectUntilError(
        pool({ maxWorkers: 2 }).map(t.sqrtLaterOrThrow, items, { chunksize: CHUNK }),
      );
      assert.deepEqual(values, range(failing).map(Math.sqrt));
      assert.ok(error instanceof RangeError && error.message === 'negative: -1', String(error));
    });

    test('a worker that dies with chunks on hand fails the chunk it ran; the others run elsewhere', async () => {
      const executor = pool({ maxWorkers: 2 });
      const fatal = 9_999;
      const { values, error } = await mapWithNegativeAt(executor, t.exitOnNegative, fatal);
      assert.ok(error instanceof WorkerCrashedError, String(error));
      // The whole chunk of the fatal item fails; every chunk before it came out whole.
      assert.deepEqual(values, range(fatal - (fatal % CHUNK)));
      // A replacement worker runs the next map whole.
      const again = range(COUNT);
      assert.deepEqual(
        await collect(executor.map(t.exitOnNegative, again, { chunksize: CHUNK })),
        again,
      );
    });

    test('an abort mid-map ends it with the reason and leaves no listener behind', async () => {
      const executor = pool({ maxWorkers: 2 });
      const controller = new AbortController();
      const reason = new Error('stop here');
      const seen: number[] = [];
      await assert.rejects(
        async () => {
          for await (const value of executor.map(t.identity, range(COUNT), {
            chunksize: CHUNK,
            signal: controller.signal,
          })) {
            if (seen.push(value as number) === 1_000) controller.abort(reason);
          }
        },
        (error) => error === reason,
      );
      // What had arrived still came out in order; nothing after the abort.
      assert.deepEqual(seen, range(seen.length));
      assert.ok(seen.length < COUNT);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
      // The executor goes on: the next map runs whole.
      assert.deepEqual(
        await collect(executor.map(t.identity, range(1_000), { chunksize: CHUNK })),
        range(1_000),
      );
    });

    test('the input is read ahead a window at the call, then again once half the window is free', async () => {
      const executor = pool({ maxWorkers: 2 });
      let pulled = 0;
      function* counted(): Generator<number> {
        for (let i = 0; i < COUNT; i++) {
          pulled++;
          yield i;
        }
      }
      const iterator = executor.map(t.identity, counted(), { chunksize: CHUNK });
      const window = pulled / CHUNK;
      assert.ok(Number.isInteger(window) && window >= 4, `read ${pulled} items at the call`);
      // Reading the first item of a chunk frees its task's place in the window; refilling
      // waits until half the window is free, so the tasks it adds leave together.
      const freed = window - (window >> 1); // places free once the window is half empty
      for (let i = 0; i < (freed - 1) * CHUNK; i++) await iterator.next();
      assert.equal(pulled, window * CHUNK, 'nothing read before half the window is free');
      await iterator.next();
      assert.equal(pulled, (window + freed) * CHUNK, 'the window filled up again at once');
      await iterator.return?.();
    });

    test('an item that cannot cross in a chunk of numbers is refused with a TypeError naming it', async () => {
      const executor = pool({ maxWorkers: 1 });
      const items: unknown[] = range(50);
      items[23] = Symbol('not data');
      const seen: unknown[] = [];
      await assert.rejects(
        async () => {
          for await (const value of executor.map(t.identity, items, { chunksize: 10 }))
            seen.push(value);
        },
        (error: Error) =>
          error instanceof TypeError && /item 23 .*Symbol\(not data\)/.test(error.message),
      );
      assert.deepEqual(seen, range(20));
    });
  });

  describe(
    `${impl.kind === 'process' ? 'Pool' : 'ThreadPool'}.map: many chunks in flight`,
    SUITE,
    () => {
      const pools: BasePool[] = [];
      const open = (): BasePool => {
        const made = impl.kind === 'process' ? new Pool(2) : new ThreadPool(2);
        pools.push(made);
        return made;
      };
      after(() => Promise.all(pools.map((made) => made.terminate())));

      test('resolves with every result in input order', async () => {
        const items = range(COUNT);
        assert.deepEqual(
          await open().map(t.square, items, CHUNK),
          items.map((x) => x * x),
        );
      });

      test('rejects with the error of the first failing item in input order, not of a later one', async () => {
        const items = range(COUNT);
        items[15_000] = -2;
        items[7_000] = -1; // in an earlier chunk: this is the error map rejects with
        await assert.rejects(open().map(t.sqrtOrThrow, items, CHUNK), { message: 'negative: -1' });
      });

      test('a worker dying with chunks on hand rejects with WorkerCrashedError; the pool goes on', async () => {
        const pool = open();
        const items = range(COUNT);
        items[4_321] = -1;
        await assert.rejects(pool.map(t.exitOnNegative, items, CHUNK), WorkerCrashedError);
        assert.deepEqual(await pool.map(t.exitOnNegative, range(COUNT), CHUNK), range(COUNT));
      });
    },
  );
}
