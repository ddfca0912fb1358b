// SharedQueue between real threads: items cross as copies through shared memory, exactly once,
// in FIFO order per producer, with putSync/getSync in workers, join and shutdown seen by every
// thread, and a thread that dies waiting taking nothing and blocking no one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  Process,
  QueueShutDown,
  RuntimeError,
  SharedLock,
  SharedQueue,
  Thread,
  ThreadPoolExecutor,
} from '../src/index.js';
import {
  consume,
  doubleInto,
  getOnce,
  holdLock,
  produce,
  waitForever,
} from './fixtures/shared-queue-targets.js';
import { WORKER_SUITE } from './support/async-helpers.js';

const pool = new ThreadPoolExecutor({ maxWorkers: 4 });
after(() => pool.shutdown({ cancelFutures: true }));

describe('SharedQueue between threads', WORKER_SUITE, () => {
  for (const sync of [false, true]) {
    test(`2 producer and 2 consumer threads (${sync ? 'putSync/getSync' : 'put/get'}): every item once, in order per producer`, async () => {
      const q = new SharedQueue<[number, number]>({ maxsize: 16, bytes: 4096 });
      const count = 2_000;
      const consumers = [
        pool.submit(consume, q, sync, false),
        pool.submit(consume, q, false, false),
      ];
      await Promise.all([
        pool.submit(produce, q, 1, count, sync),
        pool.submit(produce, q, 2, count, false),
      ]);
      q.shutdown();
      const got = (await Promise.all(consumers)) as [number, number][][];
      const all = got.flat();
      assert.equal(all.length, 2 * count);
      for (const producer of [1, 2]) {
        const seen = all
          .filter(([p]) => p === producer)
          .map(([, i]) => i)
          .sort((a, b) => a - b);
        assert.deepEqual(
          seen,
          Array.from({ length: count }, (_, i) => i),
          `producer ${producer}: each item once`,
        );
        for (const mine of got) {
          const order = mine.filter(([p]) => p === producer).map(([, i]) => i);
          assert.deepEqual(
            order,
            [...order].sort((a, b) => a - b),
            'FIFO per producer, as each consumer saw it',
          );
        }
      }
      assert.equal(q.qsize(), 0);
    });
  }

  test('values of every kind V8 copies arrive equal, in order', async () => {
    const q = new SharedQueue<unknown>({ bytes: 1 << 16 });
    const items: unknown[] = [
      0,
      -1,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      1.5,
      -0,
      Number.NaN,
      Infinity,
      10n ** 30n,
      '',
      'short',
      'é∂🎉',
      'x'.repeat(5_000),
      true,
      false,
      null,
      undefined,
      { a: [1, { b: 'c' }] },
      new Map([[1, 'one']]),
      new Set(['s']),
      new Date(86_400_000),
      new Uint8Array([1, 2, 3]),
      /re/g,
      [undefined, null],
    ];
    const consumer = pool.submit(consume, q, false, false);
    for (const item of items) await q.put(item);
    q.shutdown();
    assert.deepEqual(await consumer, items);
  });

  test('join() in the main thread waits for taskDone() in another', async () => {
    const q = new SharedQueue<number>();
    for (let i = 0; i < 50; i++) await q.put(i);
    const consumer = pool.submit(consume, q, true, true);
    assert.equal(await q.join(), true);
    q.shutdown();
    assert.equal(((await consumer) as number[]).length, 50);
  });

  for (const sync of [false, true]) {
    test(`shutdown() in the main thread ends a ${sync ? 'getSync' : 'get'} waiting in another with QueueShutDown`, async () => {
      const q = new SharedQueue<number>();
      const waiting = pool.submit(getOnce, q, sync);
      // The other thread may not have reached its get yet: either way it must see the shutdown.
      q.shutdown();
      assert.equal(await waiting, 'QueueShutDown');
    });
  }

  test('an item put in the main thread reaches a getSync waiting in another', async () => {
    const q = new SharedQueue<string>();
    const waiting = pool.submit(getOnce, q, true);
    await q.put('hello');
    assert.equal(await waiting, 'got "hello"');
  });

  test('a thread terminated while waiting in get takes nothing and leaves the line', async () => {
    const q = new SharedQueue<string>();
    const ready = new SharedQueue<string>();
    const thread = new Thread(waitForever, { args: [q, ready] });
    thread.start();
    try {
      assert.equal(await ready.get(), 'waiting');
      await thread.terminate();
      await q.put('for the living');
      assert.equal(await q.get({ timeout: 60_000 }), 'for the living');
      assert.equal(q.qsize(), 0);
    } finally {
      await thread.terminate();
    }
  });
});

describe('SharedQueue and SharedLock with a child process (through handles)', WORKER_SUITE, () => {
  test('a child consumes one SharedQueue and fills another', async () => {
    const input = new SharedQueue<number>({ maxsize: 8 });
    const out = new SharedQueue<number>();
    const child = new Process(doubleInto, { args: [input, out] });
    child.start();
    try {
      for (let i = 0; i < 100; i++) await input.put(i);
      input.shutdown();
      await child.join();
      assert.equal(child.exitCode, 0);
      const got: number[] = [];
      while (!out.empty()) got.push(out.getNowait());
      assert.deepEqual(
        got,
        Array.from({ length: 100 }, (_, i) => i * 2),
      );
    } finally {
      if (child.isAlive()) await child.kill();
    }
  });

  test('a child killed holding a SharedLock loses it: abandoned for the next holder', async () => {
    const lock = new SharedLock();
    const ready = new SharedQueue<string>();
    const child = new Process(holdLock, { args: [lock, ready] });
    child.start();
    try {
      assert.equal(await ready.get(), 'held');
      assert.equal(lock.locked(), true);
      await child.kill();
      assert.equal(await lock.acquire({ timeout: 60_000 }), true);
      assert.equal(lock.abandoned, true);
      lock.release();
      assert.equal(lock.abandoned, false);
    } finally {
      if (child.isAlive()) await child.kill();
    }
  });
});

describe('SharedQueue rules', () => {
  test('getSync and putSync on the main thread are a RuntimeError, and change nothing', () => {
    const q = new SharedQueue<number>();
    assert.throws(() => q.putSync(1), RuntimeError);
    assert.throws(() => q.getSync({ timeout: 0 }), RuntimeError);
    assert.equal(q.qsize(), 0);
  });

  test('an item that cannot be copied is a TypeError at put, and nothing is added', async () => {
    const q = new SharedQueue<unknown>();
    await assert.rejects(
      q.put(() => 1),
      TypeError,
    );
    assert.throws(() => q.putNowait({ f: Symbol('s') }), TypeError);
    assert.equal(q.qsize(), 0);
  });

  test('an item larger than the queue is a RangeError at put, and nothing changes', async () => {
    const q = new SharedQueue<string>({ bytes: 256 });
    await q.put('a');
    await assert.rejects(q.put('x'.repeat(1_000)), RangeError);
    assert.throws(() => q.putNowait('y'.repeat(200)), RangeError);
    assert.equal(q.qsize(), 1);
    assert.equal(await q.get(), 'a');
  });

  test('bad options are refused at the constructor', () => {
    assert.throws(() => new SharedQueue({ maxsize: 0.5 }), TypeError);
    assert.throws(() => new SharedQueue({ maxsize: -1 }), TypeError);
    assert.throws(() => new SharedQueue({ bytes: 8 }), RangeError);
    assert.throws(() => new SharedQueue({ maxSize: 3 } as never), /unknown option "maxSize"/);
  });

  test('items wrap around the ring many times, large and small, and come out whole', async () => {
    const q = new SharedQueue<string>({ bytes: 512 });
    const sizes = [1, 50, 3, 120, 7, 90, 0, 33];
    const pending: string[] = [];
    let accepted = 0;
    for (let round = 0; round < 300; round++) {
      for (const [i, n] of sizes.entries()) {
        const item = `${round}:${i}:${'z'.repeat((n * (round + 1)) % 150)}`;
        try {
          q.putNowait(item);
          pending.push(item);
          accepted++;
        } catch (err) {
          assert.equal((err as Error).name, 'QueueFull');
        }
      }
      // Take about half, so the next round writes around what is left.
      for (let k = Math.ceil(q.qsize() / 2); k > 0; k--) {
        assert.equal(await q.get(), pending.shift(), `round ${round}`);
      }
      assert.equal(q.qsize(), pending.length);
    }
    while (pending.length > 0) assert.equal(q.getNowait(), pending.shift());
    assert.ok(accepted > 400, `the ring took many items over the rounds (${accepted})`);
  });

  test('a get with a timeout keeps the program alive until it fires, as a timer does', () => {
    const script = fileURLToPath(new URL('./fixtures/shared-queue-alive.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    assert.equal(run.stderr, '');
    assert.equal(run.stdout.trim(), 'QueueEmpty after the timeout');
  });
});

void QueueShutDown;
