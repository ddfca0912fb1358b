// Portable classes (issue 10, point 4): an instance of a class marked with
// portable(import.meta.url, Class) crosses into a thread or process as its class's name and its
// state, and is rebuilt there as an instance of that class, its module loaded where it was not;
// an instance of an unmarked class with methods or #private members is a TypeError at the call
// that says how to mark the class. Thrown errors of a portable class come back as that class.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeValues, encodeValues } from '../src/codec/codec.js';
import { whenDecodable } from '../src/codec/decodable.js';
import type { Destination } from '../src/codec/descriptor.js';
import {
  Manager,
  Pipe,
  Process,
  ProcessPoolExecutor,
  portable,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from '../src/index.js';
import { copyInDict, echo, inspect, relay } from './fixtures/portable-class-blind.js';
import {
  bump,
  Counter,
  DiskFull,
  failDiskFull,
  midpoint,
  Point,
  Point3,
  Rect,
  Segment,
  Token,
  ValidationError,
  validate,
} from './fixtures/portable-classes.js';
import { endProcesses, run } from './support/process-helpers.js';

after(endProcesses);

// A module this file never imports: its classes arrive here only from workers.
const FAR = new URL('./fixtures/portable-far.ts', import.meta.url).href;
const farTarget = (name: string) => ({
  module: new URL('./fixtures/portable-far-targets.ts', import.meta.url).href,
  name,
});

/** Encodes `values` as for a `to`, clones them as the transport would, and decodes them. */
async function crossed(values: unknown[], to: Destination = 'thread'): Promise<unknown[]> {
  const { values: encoded, transfer } = encodeValues(values, 'f()', 'argument', to);
  const arrived = structuredClone(encoded, { transfer });
  await whenDecodable(arrived);
  return decodeValues(arrived);
}

async function ranThread(thread: Thread): Promise<Thread> {
  thread.start();
  assert.equal(await thread.join({ timeout: 60_000 }), true, `${thread.name} did not end`);
  return thread;
}

describe('portable(import.meta.url, class)', () => {
  test('returns the class itself, still usable here', () => {
    class Local {
      constructor(readonly n: number) {}
      twice(): number {
        return this.n * 2;
      }
    }
    assert.equal(portable(import.meta.url, Local), Local);
    assert.equal(new Local(2).twice(), 4);
  });

  test('refuses an anonymous class, which a receiver could not find by name', () => {
    assert.throws(() => portable(import.meta.url, (() => class {})()), /the class needs a name/);
  });

  test('refuses a class with #private members unless it says how it is rebuilt', () => {
    class Secretive {
      #secret = 1;
      peek(): number {
        return this.#secret;
      }
    }
    assert.throws(
      () => portable(import.meta.url, Secretive),
      /class Secretive\): it has #private members.*static \[fromPortable\]\(state\)/,
    );
    class Child extends Secretive {}
    assert.throws(
      () => portable(import.meta.url, Child),
      /it extends Secretive, which has #private members/,
    );
  });

  test('refuses a class extending a built-in such as Map unless it says how it is rebuilt', () => {
    class Registry extends Map<string, number> {}
    assert.throws(() => portable(import.meta.url, Registry), /extends the built-in Map/);
  });

  test('a portable class is not work to run', () => {
    assert.throws(
      () => new Thread(Point as never),
      /class Point is not work to run; pass a portable function/,
    );
  });
});

for (const to of ['thread', 'process'] as const) {
  describe(`an unmarked class instance going into a ${to}`, () => {
    const refused = (value: unknown, pattern: RegExp) =>
      assert.throws(() => encodeValues([value], 'f()', 'argument', to), pattern);

    test('with methods: a TypeError naming where it is and how to mark the class', () => {
      refused(
        new Rect(1, 2),
        /argument 0 \(Rect\).*it is an instance of class Rect: its methods \(area\) would not cross/,
      );
      refused(
        { shapes: [1, new Rect(1, 2)] },
        /Rect at \.shapes\[1\] is an instance of class Rect.*portable\(import\.meta\.url, class Rect \{ … \}\)/,
      );
      refused(new Map([['r', new Rect(1, 2)]]), /Rect at \.get\("r"\)/);
    });

    test('with #private fields: a TypeError saying they cannot be read, and how to send them', () => {
      refused(
        [new Token()],
        /Token at \[0\] is an instance of class Token: it has #private members.*\[portableState\]\(\)/,
      );
    });

    test('a subclass of a portable class must be marked itself', () => {
      refused(
        new Point3(1, 2, 3),
        /class Point3.*its superclass Point is marked, but each class must be/,
      );
    });

    test('a class with fields only, errors, dates and buffers still cross as before', async () => {
      class Options {
        retries = 3;
      }
      const [options, error, date, bytes] = await crossed(
        [new Options(), new DiskFull('full'), new Date(5), Buffer.from('ab')],
        to,
      );
      assert.deepEqual(options, { retries: 3 });
      assert.ok(error instanceof Error, 'error instanceof Error');
      assert.equal((date as Date).getTime(), 5);
      assert.deepEqual([...(bytes as Uint8Array)], [97, 98]);
    });
  });
}

describe('a portable instance as the codec carries it', () => {
  test('is rebuilt with its class and state, no constructor run, at any depth', async () => {
    const [point, nested] = await crossed([new Point(3, 4), { list: [new Point(1, 0)] }]);
    assert.ok(point instanceof Point, 'point instanceof Point');
    assert.equal(point.norm(), 5);
    assert.deepEqual(Object.keys(point), ['x', 'y']);
    assert.ok(
      (nested as { list: Point[] }).list[0] instanceof Point,
      '(nested as { list: Point[] }).list[0] instanceof Point',
    );
  });

  test('keeps shared references and cycles between instances', async () => {
    const shared = new Point(0, 0);
    const segment = new Segment(shared, new Point(3, 4));
    segment.self = segment;
    const [arrived, alsoShared] = (await crossed([segment, shared])) as [Segment, Point];
    assert.ok(arrived instanceof Segment, 'arrived instanceof Segment');
    assert.equal(arrived.self, arrived);
    assert.equal(arrived.length(), 5);
    assert.ok(arrived.from instanceof Point, 'arrived.from instanceof Point');
    // One call's arguments are one tree each: sharing holds inside an argument.
    assert.deepEqual(alsoShared, shared);
  });

  test('a class with private state crosses through its own hooks', async () => {
    const [counter] = (await crossed([new Counter(41)], 'process')) as [Counter];
    assert.ok(counter instanceof Counter, 'counter instanceof Counter');
    assert.equal(counter.increment().count, 42);
  });

  test('a portable error in data comes back as its class with message, stack and fields', async () => {
    const original = new ValidationError('too young', 'age');
    const [error] = (await crossed([{ error: original }])) as [{ error: ValidationError }];
    assert.ok(error.error instanceof ValidationError, 'error.error instanceof ValidationError');
    assert.ok(error.error instanceof Error, 'error.error instanceof Error');
    assert.equal(error.error.describe(), 'age: too young');
    assert.equal(error.error.stack, original.stack);
  });
});

describe('Thread and Process', () => {
  for (const [kind, start] of [
    ['Thread', (target: never, args: unknown[]) => ranThread(new Thread(target, { args }))],
    ['Process', (target: never, args: unknown[]) => run(new Process(target, { args }))],
  ] as const) {
    test(`${kind}: an argument arrives as its class in a worker that had not loaded it`, async () => {
      const runner = await start(inspect as never, [new Segment(new Point(0, 0), new Point(6, 8))]);
      assert.equal(runner.exception, undefined);
      assert.deepEqual(runner.result, { className: 'Segment', norm: undefined, length: 10 });
    });

    test(`${kind}: a result arrives as its class, its module loaded here for it`, async () => {
      const runner = await start(farTarget('makeFar') as never, [21]);
      assert.equal(runner.exception, undefined);
      const { Far } = (await import(FAR)) as typeof import('./fixtures/portable-far.js');
      assert.ok(runner.result instanceof Far, `a Far, got ${String(runner.result)}`);
      assert.equal(runner.result.double(), 42);
    });

    test(`${kind}: a thrown portable error comes back as its class`, async () => {
      const runner = await start(validate as never, [-1]);
      const error = runner.exception as ValidationError;
      assert.ok(error instanceof ValidationError, `a ValidationError, got ${String(error)}`);
      assert.equal(error.describe(), 'age: must not be negative');
      assert.match(error.stack ?? '', /ValidationError: must not be negative/);
    });

    test(`${kind}: a thrown unmarked error comes back as an Error of its name, as before`, async () => {
      const runner = await start(failDiskFull as never, []);
      const error = runner.exception as Error & { free?: number };
      assert.ok(!(error instanceof DiskFull), '!(error instanceof DiskFull)');
      assert.equal(error.name, 'DiskFull');
      assert.equal(error.free, 0);
    });

    test(`${kind}: a class the receiver cannot find fails with what was looked for`, async () => {
      // Marked as if it lived in the blind fixture module, which has no such class.
      const blindModule = new URL('./fixtures/portable-class-blind.ts', import.meta.url).href;
      class Ghost {
        boo(): string {
          return 'boo';
        }
      }
      portable(blindModule, Ghost);
      const runner = await start(echo as never, [new Ghost()]);
      const error = runner.exception as Error;
      assert.ok(error instanceof TypeError, `a TypeError, got ${String(error)}`);
      assert.match(
        error.message,
        /class Ghost arrived, but .*portable-class-blind\.ts exports no class named Ghost/,
      );
    });
  }

  test('an unmarked instance is refused at construction; nothing starts', () => {
    assert.throws(
      () => new Process(echo, { args: [{ r: new Rect(1, 1) }] }),
      /new Process\(target, \{ args \}\): argument 0 .*Rect at \.r is an instance of class Rect/,
    );
  });
});

for (const [name, make] of [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 1 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
] as const) {
  describe(name, () => {
    test('arguments and results of submit and map cross as their classes', async () => {
      await using executor = make();
      const middle = await executor.submit(midpoint, new Point(0, 0), new Point(4, 2)).result();
      assert.ok(middle instanceof Point, 'middle instanceof Point');
      assert.deepEqual([middle.x, middle.y], [2, 1]);
      const bumped = await executor.submit(bump, new Counter(1)).result();
      assert.equal(bumped.count, 2);
      const echoed: unknown[] = [];
      for await (const value of executor.map(echo, [new Point(1, 1), 2, new Point(3, 3)], {
        chunksize: 2,
      })) {
        echoed.push(value);
      }
      assert.ok(
        echoed[0] instanceof Point && echoed[2] instanceof Point,
        'echoed[0] instanceof Point && echoed[2] instanceof Point',
      );
      assert.equal(echoed[1], 2);
    });

    test('a result and an error of a class not loaded here come back as their classes', async () => {
      await using executor = make();
      const far = await executor.submit(farTarget('makeFar') as never, 2).result();
      const { Far, FarError } = (await import(FAR)) as typeof import('./fixtures/portable-far.js');
      assert.ok(far instanceof Far, 'far instanceof Far');
      await assert.rejects(
        executor.submit(farTarget('throwFar') as never).result(),
        (error: unknown) => {
          assert.ok(error instanceof FarError, `a FarError, got ${String(error)}`);
          assert.equal((error as InstanceType<typeof FarError>).where, 'far away');
          return true;
        },
      );
    });

    test('an unmarked instance is refused at submit; the pool stays usable', async () => {
      await using executor = make();
      assert.throws(() => executor.submit(echo, new Rect(1, 1)), /instance of class Rect/);
      assert.equal(await executor.submit(echo, 7).result(), 7);
    });
  });
}

describe('queues and manager dicts', () => {
  test('Queue items via a handle in a thread: relayed both ways as their classes', async () => {
    const input = new Queue<unknown>();
    const output = new Queue<unknown>();
    await input.put(new Point(3, 4));
    await input.put(new Segment(new Point(0, 0), new Point(0, 2)));
    const thread = await ranThread(new Thread(relay, { args: [input, output, 2] }));
    assert.equal(thread.exception, undefined);
    const point = await output.get();
    const segment = await output.get();
    assert.ok(
      point instanceof Point && point.norm() === 5,
      'point instanceof Point && point.norm() === 5',
    );
    assert.ok(
      segment instanceof Segment && segment.length() === 2,
      'segment instanceof Segment && segment.length() === 2',
    );
  });

  test('Queue items from a process, of a class loaded here only then, keep their order', async () => {
    const queue = new Queue<unknown>();
    const child = await run(
      new Process(farTarget('putFarthersAndNumbers') as never, { args: [queue, 3] }),
    );
    assert.equal(child.exception, undefined);
    const { Farther } = (await import(
      new URL('./fixtures/portable-farther.ts', import.meta.url).href
    )) as typeof import('./fixtures/portable-farther.js');
    const items = [];
    while (!queue.empty()) items.push(queue.getNowait());
    assert.deepEqual(
      items.map((item) => (item instanceof Farther ? `Farther ${item.next()}` : item)),
      ['Farther 1', 0, 'Farther 2', 1, 'Farther 3', 2],
    );
  });

  test('Manager dict values set and read by a process are instances of their class', async () => {
    await using manager = new Manager({ name: 'portable-classes' });
    const dict = manager.dict<string, unknown>();
    await dict.set('origin', new Point(3, 4));
    const child = await run(new Process(copyInDict, { args: [dict] }));
    assert.equal(child.exception, undefined);
    assert.deepEqual(await dict.get('seen'), { className: 'Point', norm: 5 });
    const copy = await dict.get('copy');
    assert.ok(copy instanceof Point, `a Point, got ${String(copy)}`);
  });

  test('Pipe messages arrive as instances of their class', async () => {
    const [left, right] = Pipe<Point>();
    await left.send(new Point(6, 8));
    const point = await right.recv();
    assert.ok(point instanceof Point, 'point instanceof Point');
    assert.equal(point.norm(), 10);
    left.close();
    right.close();
  });
});
