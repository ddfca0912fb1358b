// SharedValue and SharedArray (issue 12, point 3): Python's typecodes and names, checked
// writes, the typed-array view on the same memory, the lock (their own, one given, or none),
// and crossing into real threads as the same memory and the same lock — never into a process.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  Lock,
  Process,
  Queue,
  SharedArray,
  SharedLock,
  SharedValue,
  type Thread,
  ThreadPoolExecutor,
  type TypeCode,
} from '../src/index.js';
import {
  doubleFromQueue,
  drainAll,
  fillStride,
  incrementUnderLock,
  readAndWrite,
  type Seen,
  takeLock,
  writeThroughView,
} from './fixtures/shared-value-targets.js';
import { killAll, PATIENCE, startParty } from './support/dead-party.js';

after(killAll);

/** Runs `target(...args)` in a new thread and returns its result; fails on its exception. */
async function inThread<R>(target: unknown, args: unknown[]): Promise<R> {
  const thread = startParty('thread', target, args) as Thread;
  assert.equal(await thread.join(PATIENCE), true, 'the thread did not end');
  if (thread.exception !== undefined) throw thread.exception;
  return thread.result as R;
}

/** A typed array class. */
type ViewClass = { new (length: number): unknown; readonly BYTES_PER_ELEMENT: number };

/** Each type's typed array and range, written out here rather than taken from the code under test. */
const TYPES: [codes: TypeCode[], View: ViewClass, min: number | bigint, max: number | bigint][] = [
  [['b', 'int8'], Int8Array, -128, 127],
  [['B', 'uint8'], Uint8Array, 0, 255],
  [['h', 'int16'], Int16Array, -32768, 32767],
  [['H', 'uint16'], Uint16Array, 0, 65535],
  [['i', 'int32'], Int32Array, -2147483648, 2147483647],
  [['I', 'uint32'], Uint32Array, 0, 4294967295],
  [['l', 'q', 'int64'], BigInt64Array, -(2n ** 63n), 2n ** 63n - 1n],
  [['L', 'Q', 'uint64'], BigUint64Array, 0n, 2n ** 64n - 1n],
];

describe('typecodes', () => {
  for (const [codes, View, min, max] of TYPES) {
    for (const code of codes) {
      test(`'${code}' holds ${min} to ${max} in a ${View.name}`, () => {
        const zero = typeof min === 'bigint' ? 0n : 0;
        const value = new SharedValue(code);
        assert.equal(value.value, zero, 'starts at zero');
        for (const v of [min, max, zero]) {
          value.value = v as never;
          assert.equal(value.value, v);
          assert.equal(new SharedValue(code, v as never).value, v);
        }
        const one = typeof min === 'bigint' ? 1n : 1;
        assert.throws(() => {
          value.value = ((max as number) + (one as number)) as never;
        }, RangeError);
        assert.throws(() => {
          value.value = ((min as number) - (one as number)) as never;
        }, RangeError);
        assert.equal(value.value, zero, 'a refused write changes nothing');
        const array = new SharedArray(code, [min, max] as never);
        assert.ok(array.array instanceof View);
        assert.deepEqual(array.toArray(), [min, max]);
        assert.equal(array.buffer.byteLength, 2 * View.BYTES_PER_ELEMENT);
      });
    }
  }

  for (const [code, View] of [
    ['f', Float32Array],
    ['float32', Float32Array],
    ['d', Float64Array],
    ['float64', Float64Array],
  ] as const) {
    test(`'${code}' holds numbers as a ${View.name} does`, () => {
      const wide = code === 'd' || code === 'float64';
      const value = new SharedValue(code, 0.1);
      assert.equal(value.value, wide ? 0.1 : Math.fround(0.1));
      for (const v of [-3.25, 1.5, Number.POSITIVE_INFINITY, -0]) {
        value.value = v;
        assert.equal(value.value, v);
      }
      value.value = Number.NaN;
      assert.ok(Number.isNaN(value.value));
      value.value = 1e39; // past float32's range: Infinity, as ctypes' c_float gives
      assert.equal(value.value, wide ? 1e39 : Number.POSITIVE_INFINITY);
      assert.ok(new SharedArray(code, 3).array instanceof View);
    });
  }
});

describe('bad input is refused at the call', () => {
  test('an unknown type names the valid typecodes and names', () => {
    for (const type of ['x', 'c', 'u', 'int', 'Int32', 42, undefined]) {
      assert.throws(
        () => new SharedValue(type as never, 0 as never),
        (error: Error) =>
          error instanceof TypeError &&
          /unknown type/.test(error.message) &&
          /'i'/.test(error.message) &&
          /'float64'/.test(error.message),
        String(type),
      );
      assert.throws(() => new SharedArray(type as never, 1), TypeError);
    }
  });

  test('a value of the wrong kind is a TypeError', () => {
    const int = new SharedValue('i', 7);
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', 1n, null, true]) {
      assert.throws(() => {
        int.value = bad as never;
      }, TypeError);
    }
    assert.equal(int.value, 7);
    const big = new SharedValue('q', 7n);
    assert.throws(
      () => {
        big.value = 8 as never;
      },
      { name: 'TypeError', message: /takes a BigInt \(such as 8n\)/ },
    );
    assert.throws(() => new SharedValue('d', '1' as never), TypeError);
    assert.throws(() => new SharedValue('B', 256), RangeError);
    assert.throws(() => new SharedArray('i', [1, 2.5]), {
      name: 'TypeError',
      message: /element 1/,
    });
    assert.throws(() => new SharedArray('b', [0, 200]), {
      name: 'RangeError',
      message: /element 1/,
    });
  });

  test('sizes, indexes and options', () => {
    assert.throws(() => new SharedArray('i', -1), RangeError);
    assert.throws(() => new SharedArray('i', 1.5), TypeError);
    assert.throws(() => new SharedArray('i', 'abc' as never), TypeError);
    assert.throws(() => new SharedArray('i', {} as never), TypeError);
    const array = new SharedArray('i', [10, 20, 30]);
    for (const index of [3, -4, 100]) {
      assert.throws(() => array.get(index), { name: 'RangeError', message: /out of range/ });
      assert.throws(() => array.set(index, 1), RangeError);
    }
    assert.throws(() => array.get(0.5), TypeError);
    assert.throws(() => array.set(1, 2 ** 31), RangeError);
    assert.deepEqual(array.toArray(), [10, 20, 30], 'refused writes change nothing');
    assert.throws(() => new SharedValue('i', 0, { lock: 'yes' } as never), TypeError);
    assert.throws(() => new SharedValue('i', 0, { lock: new Lock() } as never), {
      name: 'TypeError',
      message: /not a Lock/,
    });
    assert.throws(() => new SharedValue('i', 0, 5 as never), TypeError);
  });
});

/** `true` when `A` and `B` are the same type (not merely assignable either way). */
type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** Compiles only when `A` and `B` are the same type. */
function same<A, B>(..._proof: Equal<A, B> extends true ? [] : [never]): void {}

test('the types follow the type given: bigint for 64-bit, the typed array of .array', () => {
  same<typeof SharedValue.prototype.value, number | bigint>();
  same<SharedValue<'q'>['value'], bigint>();
  same<SharedValue<'uint64'>['value'], bigint>();
  same<SharedValue<'i'>['value'], number>();
  same<SharedArray<'d'>['array'], Float64Array>();
  same<SharedArray<'L'>['array'], BigUint64Array>();
  same<ReturnType<SharedArray<'Q'>['toArray']>, bigint[]>();
  // The run time refuses what the types refuse.
  // @ts-expect-error a 64-bit type takes a bigint
  assert.throws(() => new SharedValue('q', 0), TypeError);
  // @ts-expect-error a 32-bit type takes a number
  assert.throws(() => new SharedValue('i', 0n), TypeError);
  // @ts-expect-error no such typecode
  assert.throws(() => new SharedArray('c', 1), TypeError);
});

test('toString and inspect show the call that would make it', () => {
  assert.equal(String(new SharedValue('q', -5n)), "SharedValue('q', -5n)");
  assert.equal(
    inspect(new SharedValue('d', 0.5, { lock: false })),
    "SharedValue('d', 0.5, { lock: false })",
  );
  assert.equal(String(new SharedArray('int8', [1, -2])), "SharedArray('int8', [1, -2])");
  assert.equal(
    String(new SharedArray('B', 12)),
    "SharedArray('B', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, … 2 more])",
  );
});

describe('SharedArray', () => {
  test('get, set, negative indexes, length, iteration, toArray', () => {
    const array = new SharedArray('h', [1, 2, 3]);
    assert.equal(array.length, 3);
    assert.equal(array.get(-1), 3);
    array.set(-3, -5);
    array.set(1, 40);
    assert.deepEqual([...array], [-5, 40, 3]);
    const seen: number[] = [];
    for (const v of array) seen.push(v);
    assert.deepEqual(seen, [-5, 40, 3]);
    const copy = array.toArray();
    copy[0] = 99;
    assert.equal(array.get(0), -5, 'toArray is a copy');
    assert.deepEqual(new SharedArray('d', 2).toArray(), [0, 0]);
    assert.equal(new SharedArray('i', 0).length, 0);
    assert.deepEqual(new SharedArray('Q', new Set([1n, 2n])).toArray(), [1n, 2n]);
  });

  test('.array views the same memory, and its writes wrap as typed arrays do', () => {
    const array = new SharedArray('i', 3);
    assert.equal(array.array.buffer, array.buffer);
    array.set(0, 5);
    assert.equal(array.array[0], 5);
    array.array[1] = 6;
    assert.equal(array.get(1), 6);
    array.array[2] = 2 ** 31; // unchecked, as in C: wraps
    assert.equal(array.get(2), -(2 ** 31));
  });
});

describe('the lock', () => {
  test('each value has a lock of its own by default; one given is the one used', () => {
    const a = new SharedValue('i');
    const b = new SharedArray('i', 1, { lock: true });
    assert.ok(a.getLock() instanceof SharedLock);
    assert.notEqual(a.getLock(), b.getLock());
    assert.equal(a.getLock(), a.getLock());
    const lock = new SharedLock();
    assert.equal(new SharedValue('d', 0, { lock }).getLock(), lock);
    assert.equal(new SharedArray('d', 2, { lock }).getLock(), lock);
  });

  test('with lock: false there is none: getLock() is a TypeError, as Python raw values have no get_lock', () => {
    const raw = new SharedValue('i', 3, { lock: false });
    assert.throws(() => raw.getLock(), { name: 'TypeError', message: /lock: false.*RawValue/ });
    raw.value += 1;
    assert.equal(raw.value, 4);
    const rawArray = new SharedArray('i', 2, { lock: false });
    assert.throws(() => rawArray.getLock(), { name: 'TypeError', message: /RawArray/ });
  });
});

describe('in threads', { timeout: 300_000 }, () => {
  test('4 threads and the main one increment under getLock(): the exact total', async () => {
    const counter = new SharedValue('i', 0);
    const times = 2000;
    const threads = [false, true, false, true].map((blocking) =>
      startParty('thread', incrementUnderLock, [counter, times, blocking]),
    );
    for (let i = 0; i < times; i++) {
      using _ = await counter.getLock().guard();
      counter.value += 1;
    }
    for (const thread of threads) {
      assert.equal(await thread.join(PATIENCE), true);
      assert.equal(thread.exception, undefined);
    }
    assert.equal(counter.value, 5 * times);
    assert.equal(counter.getLock().locked(), false);
  });

  test('a SharedArray filled by 3 threads at disjoint indexes', async () => {
    const squares = new SharedArray('q', 300);
    await Promise.all([0, 1, 2].map((offset) => inThread(fillStride, [squares, offset, 3])));
    assert.deepEqual(
      squares.toArray(),
      Array.from({ length: 300 }, (_, i) => BigInt(i * i)),
    );
  });

  test('a value arrives as a SharedValue on the same memory, with the same lock', async () => {
    const value = new SharedValue('Q', 2n ** 64n - 1n);
    await value.getLock().acquire();
    const seen = await inThread<Seen>(readAndWrite, [value, 5n]);
    assert.deepEqual(seen, { isValue: true, type: 'Q', value: 2n ** 64n - 1n, lockHeld: true });
    assert.equal(value.value, 5n, 'what the thread wrote');
    value.getLock().release();

    // A lock given to two objects stays one lock on the other side: the thread takes it
    // through a value and ends holding it; the array's lock is the one it abandoned.
    const lock = new SharedLock();
    const array = new SharedArray('d', 4, { lock });
    assert.equal(await inThread(takeLock, [new SharedValue('i', 0, { lock })]), true);
    assert.equal(array.getLock().locked(), false, 'its holder ended');
    assert.equal(array.getLock().abandoned, true, 'the thread took the lock the array has');
  });

  test('a SharedArray arrives on the same memory; .array in the thread is that memory', async () => {
    const array = new SharedArray('d', 3);
    assert.deepEqual(await inThread(writeThroughView, [array]), [0.5, 1.5, 2.5]);
    assert.deepEqual(array.toArray(), [0.5, 1.5, 2.5]);
  });

  test('a value made with lock: false arrives with no lock', async () => {
    const raw = new SharedValue('i', 1, { lock: false });
    const seen = await inThread<Seen>(readAndWrite, [raw, 2]);
    assert.equal(seen.value, 1);
    assert.match(seen.noLock ?? '', /^TypeError: .*lock: false/);
    assert.equal(raw.value, 2);
  });
});

describe('crossing inside other values and into pool tasks', { timeout: 300_000 }, () => {
  test('inside an object and an array', async () => {
    const values = [new SharedValue('i', 2), new SharedValue('i', 3, { lock: false })];
    assert.equal(await inThread(drainAll, [{ values }]), 5);
    assert.deepEqual(
      values.map((v) => v.value),
      [0, 0],
    );
  });

  test('inside an item got from a Queue in a thread', async () => {
    const queue = new Queue<{ value: SharedValue<'d'> }>();
    const value = new SharedValue('d', 1.25);
    const done = inThread(doubleFromQueue, [queue]);
    await queue.put({ value });
    await done;
    assert.equal(value.value, 2.5);
  });

  test('into thread-pool tasks', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 2 });
    const squares = new SharedArray('q', 10);
    await Promise.all(
      [0, 1].map((offset) => executor.submit(fillStride, squares, offset, 2).result()),
    );
    assert.deepEqual(
      squares.toArray(),
      Array.from({ length: 10 }, (_, i) => BigInt(i * i)),
    );
  });
});

describe('into a process', () => {
  test('a SharedValue or SharedArray is a TypeError at the call, naming what to use', () => {
    for (const shared of [new SharedValue('i', 0), new SharedArray('d', 2, { lock: false })]) {
      const kind = shared.constructor.name;
      for (const args of [[shared], [{ nested: [shared] }]]) {
        assert.throws(
          () => new Process(readAndWrite, { args: args as never }),
          (error: Error) =>
            error instanceof TypeError &&
            error.message.includes(`a ${kind} cannot cross into another process`) &&
            /threads of one process/.test(error.message) &&
            /Manager/.test(error.message),
        );
      }
    }
  });
});
