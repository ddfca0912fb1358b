// The types refuse what the run time refuses: an unmarked function as the work of a Thread, a
// Process, an executor or a pool does not compile; and select() types what it took by the
// queues it was given. `npm run typecheck` fails if a line under `@ts-expect-error` compiles;
// the tests run the same calls where that is cheap, to show the run time agrees.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Barrier,
  cameFrom,
  Event,
  type Future,
  isPortable,
  LifoQueue,
  Pool,
  type Portable,
  PriorityQueue,
  Process,
  Queue,
  type QueueHandle,
  type Selected,
  select,
  Thread,
  ThreadPool,
  ThreadPoolExecutor,
} from '../src/index.js';
import { mul, square, unmarked } from './fixtures/executor-tasks.js';
import { blockOnQueueAndBarrier } from './fixtures/manager-targets.js';

/** `true` when `A` and `B` are the same type (not merely assignable either way). */
type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** Compiles only when `A` and `B` are the same type. */
function same<A, B>(..._proof: Equal<A, B> extends true ? [] : [never]): void {}

const TASKS = new URL('./fixtures/executor-tasks.ts', import.meta.url).href;

describe('portable functions in the types', () => {
  test('portable() gives the function itself: callable here, assignable where F is', () => {
    same<typeof square, Portable<(x: number) => number>>();
    const plain: (x: number) => number = square;
    assert.equal(plain(7), 49);
    assert.equal(isPortable(square), true);
    const maybe: unknown = square;
    // isPortable narrows to a portable function.
    if (isPortable(maybe)) same<typeof maybe, Portable>();
    else assert.fail('isPortable(square) is true');
  });

  test('an unmarked function is refused by the compiler, and at run time too', async () => {
    // @ts-expect-error an unmarked function is not a Thread target
    assert.throws(() => new Thread(unmarked, { args: [1] }), /portable\(import\.meta\.url/);
    // @ts-expect-error an unmarked function is not a Process target
    assert.throws(() => new Process(unmarked, { args: [1] }), /portable\(import\.meta\.url/);
    // @ts-expect-error nor an executor's initializer
    assert.throws(() => new ThreadPoolExecutor({ initializer: unmarked }), TypeError);
    // @ts-expect-error nor a pool's initializer
    assert.throws(() => new ThreadPool(1, { initializer: (x: number) => x }), TypeError);

    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const pool = new Pool(1);
    try {
      // @ts-expect-error submit
      assert.throws(() => executor.submit(unmarked, 1), TypeError);
      // @ts-expect-error submitWith
      assert.throws(() => executor.submitWith({}, unmarked, 1), TypeError);
      // @ts-expect-error map
      assert.throws(() => executor.map(unmarked, [1, 2]), TypeError);
      // @ts-expect-error Pool.apply
      await assert.rejects(pool.apply(unmarked, [1]), TypeError);
      // @ts-expect-error Pool.map
      await assert.rejects(pool.map(unmarked, [1, 2]), TypeError);
      // @ts-expect-error Pool.starmap
      await assert.rejects(pool.starmap(unmarked, [[1]]), TypeError);
      // Nothing was started for any of them.
      assert.equal(executor.workerCount, 0);
    } finally {
      await Promise.all([executor.shutdown(), pool.terminate()]);
    }
  });

  test('a portable function is accepted, its arguments and result inferred', async () => {
    const thread = new Thread(mul, { args: [6, 7] });
    same<typeof thread.result, number | undefined>();
    const child = new Process(mul, { args: [6, 7] });
    same<typeof child.result, number | undefined>();
    // @ts-expect-error a string for a number parameter
    assert.ok(new Thread(mul, { args: ['6', 7] }));
    // `{ module, name }` still names a target; its types are the caller's word.
    assert.ok(new Thread({ module: TASKS, name: 'mul' }, { args: [6, 7] }));

    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const pool = new ThreadPool(1);
    try {
      const future = executor.submit(mul, 6, 7);
      same<typeof future, Future<number>>();
      assert.equal(await future.result(), 42);
      const applied = pool.apply(square, [7]);
      same<typeof applied, Promise<number>>();
      assert.equal(await applied, 49);
      const mapped: number[] = [];
      for await (const value of executor.map(square, [1, 2, 3])) {
        same<typeof value, number>();
        mapped.push(value);
      }
      assert.deepEqual(mapped, [1, 4, 9]);
      // @ts-expect-error a function for a number: refused by the compiler and at the call
      assert.throws(() => executor.submit(mul, () => 6, 7), TypeError);
      // @ts-expect-error items of the wrong type for map (refused at run time as they are sent)
      await assert.rejects(executor.map(square, [() => 1]).next(), TypeError);
    } finally {
      await Promise.all([executor.shutdown(), pool.terminate()]);
    }
  });
});

/**
 * Checked by `npm run typecheck`, never called: each of these would send a queue to a worker
 * (which starts serving it), or needs a handle only a worker has, so only their types are
 * tested.
 */
export function handleTypesCompile(handle: QueueHandle<number>): void {
  // @ts-expect-error select waits on the queues of this thread only (the run time refuses a handle)
  void select([handle]);
  // A parameter typed `HandleOf<Queue<number>>` takes the Queue<number> itself, and so on.
  const args = [new Queue<number>(), new Barrier(2), new Event()] as const;
  const thread = new Thread(blockOnQueueAndBarrier, { args: [...args] });
  same<typeof thread.result, string[] | undefined>();
  new ThreadPoolExecutor().submit(blockOnQueueAndBarrier, ...args);
  // @ts-expect-error a Queue<string> where a HandleOf<Queue<number>> is expected
  new Thread(blockOnQueueAndBarrier, { args: [new Queue<string>(), new Barrier(2), new Event()] });
  // @ts-expect-error the same refusal in submit
  new ThreadPoolExecutor().submit(blockOnQueueAndBarrier, new Queue<string>(), args[1], args[2]);
}

describe('select() typed by the queues it was given', () => {
  test('over queues of different item types, cameFrom narrows the item', async () => {
    const numbers = new Queue<number>();
    const strings = new Queue<string>();
    numbers.putNowait(7);
    strings.putNowait('seven');

    const first = await select([numbers, strings]);
    same<typeof first, Selected<number> | Selected<string>>();
    // @ts-expect-error the item may be a string: it has to be narrowed first
    assert.equal(first.item.toFixed(1), '7.0');
    if (cameFrom(first, numbers)) {
      same<typeof first.item, number>();
      assert.equal(first.item.toFixed(1), '7.0');
    } else assert.fail('the number came first');

    const second = await select([numbers, strings]);
    if (cameFrom(second, numbers)) assert.fail('numbers is empty now');
    else {
      same<typeof second, Selected<string>>();
      assert.equal(second.item.toUpperCase(), 'SEVEN');
    }
  });

  test('readonly tuples, arrays of one queue type, LifoQueue and PriorityQueue', async () => {
    const flags = new LifoQueue<boolean>();
    const ranked = new PriorityQueue<[number, string]>();
    ranked.putNowait([2, 'two']);
    const both = [flags, ranked] as const;
    const taken = await select(both);
    same<
      typeof taken,
      | Selected<boolean, LifoQueue<boolean>>
      | Selected<[number, string], PriorityQueue<[number, string]>>
    >();
    if (cameFrom(taken, ranked)) assert.deepEqual(taken.item, [2, 'two']);
    else assert.fail('only the priority queue had an item');

    const dates: Queue<Date>[] = [new Queue(), new Queue()];
    dates[1]!.putNowait(new Date(0));
    const one = await select(dates);
    same<typeof one, Selected<Date>>();
    assert.equal(one.queue, dates[1]);
    assert.equal(one.item.getTime(), 0);
  });

  test('a mismatched item type is refused', async () => {
    const numbers = new Queue<number>();
    const strings = new Queue<string>();
    strings.putNowait('s');
    // @ts-expect-error select over Queue<number> given a Queue<string>
    const wrong: Selected<number> = await select<Queue<number>>([strings]);
    assert.equal(wrong.item, 's'); // what the types would have hidden
    numbers.putNowait(1);
    const selected = await select([numbers]);
    // @ts-expect-error cameFrom is only asked about a queue the select was given
    assert.equal(cameFrom(selected, strings), false);
    // @ts-expect-error select takes queues only (the run time refuses the number too)
    await assert.rejects(select([numbers, 5]), TypeError);
  });
});
