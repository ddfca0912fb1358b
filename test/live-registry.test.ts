// The registry of live pools and queues behind the local dashboard (src/core/live-registry.ts):
// it registers only while a dashboard watches, lists every kind, never keeps an object
// alive (a dropped queue is gone after a garbage collection), and sweeps out the references
// of the dropped once a second, though nobody looks, so a program that makes and drops
// queues all the time holds few.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  LOOK,
  type Look,
  liveObjects,
  liveReferenceCount,
  watchLive,
} from '../src/core/live-registry.js';
import {
  LifoQueue,
  Pool,
  PriorityQueue,
  ProcessPoolExecutor,
  Queue,
  SharedQueue,
  SimpleQueue,
  TaskPool,
  ThreadPool,
  ThreadPoolExecutor,
} from '../src/index.js';

// `global.gc` without starting node with --expose-gc: the flag, then a fresh context's gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A new macrotask: V8 keeps a WeakRef's target alive until the current one ends. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** What each live object says of itself, oldest first. */
const looks = (): Look[] => liveObjects().map((object) => object[LOOK]());

describe('live registry', () => {
  test('nothing registers while no dashboard watches; what is made while one does, is listed', () => {
    const before = new Queue<number>();
    const stop = watchLive();
    try {
      const after = new Queue<number>(3);
      const live = liveObjects();
      assert.ok(live.includes(after));
      assert.ok(!live.includes(before), 'made before the dashboard: not registered');
    } finally {
      stop();
    }
  });

  test('every kind registers once, with its type and detail; a pool shows as itself', async () => {
    const stop = watchLive();
    const made = {
      queue: new Queue<number>(10),
      lifo: new LifoQueue<number>(),
      priority: new PriorityQueue<number>(5),
      simple: new SimpleQueue<number>(),
      shared: new SharedQueue<number>({ maxsize: 4, name: 'jobs' }),
      tasks: new TaskPool(3),
      threads: new ThreadPoolExecutor({ maxWorkers: 2, name: 'resizers' }),
      processes: new ProcessPoolExecutor({ maxWorkers: 1 }),
      pool: new Pool(2),
      threadPool: new ThreadPool(1, { name: 'pdf' }),
    };
    try {
      assert.deepEqual(
        looks().map((look) => [look.kind, look.type, look.name, look.detail]),
        [
          ['queue', 'Queue', null, 'maxsize 10'],
          ['queue', 'LifoQueue', null, 'unbounded'],
          ['queue', 'PriorityQueue', null, 'maxsize 5'],
          ['queue', 'SimpleQueue', null, 'unbounded'],
          ['queue', 'SharedQueue', 'jobs', 'maxsize 4'],
          ['pool', 'TaskPool', null, 'size 3'],
          ['pool', 'ThreadPoolExecutor', 'resizers', 'maxWorkers 2'],
          ['pool', 'ProcessPoolExecutor', null, 'maxWorkers 1'],
          ['pool', 'Pool', null, '2 workers'],
          ['pool', 'ThreadPool', 'pdf', '1 workers'],
        ],
      );
    } finally {
      stop();
      await Promise.all([
        made.threads.shutdown(),
        made.processes.shutdown(),
        made.pool.terminate(),
        made.threadPool.terminate(),
      ]);
    }
  });

  test('a name must be a non-empty string: a TypeError at the call', () => {
    assert.throws(() => new SharedQueue({ name: '' }), /name must be a non-empty string/);
    assert.throws(
      () => new ThreadPoolExecutor({ name: 3 as never }),
      /new ThreadPoolExecutor\(\): name must be a non-empty string .*got number 3/,
    );
    assert.throws(() => new Pool(1, { name: null as never }), /new Pool\(processes, options\)/);
  });

  test('a dropped queue is not kept alive: it leaves the list after a garbage collection', async () => {
    const stop = watchLive();
    try {
      const kept = new Queue<number>();
      (() => {
        new Queue<number>(7).putNowait(1);
      })();
      let gone = false;
      for (let i = 0; i < 20 && !gone; i++) {
        await nextTurn();
        gc();
        gone = liveObjects().length === 1;
      }
      assert.ok(gone, 'the dropped queue was collected and left the list');
      assert.deepEqual(liveObjects(), [kept]);
    } finally {
      stop();
    }
  });

  test('the references of dropped objects are swept out, though nobody looks', async () => {
    const stop = watchLive();
    try {
      const kept = new Queue<number>();
      for (let i = 0; i < 10_000; i++) new Queue<number>();
      assert.equal(liveReferenceCount(), 10_001);
      await nextTurn();
      gc();
      // The sweep comes on a timer (once a second): wait for it, up to a minute.
      for (let i = 0; i < 600 && liveReferenceCount() > 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(liveReferenceCount(), 1);
      assert.deepEqual(liveObjects(), [kept]);
    } finally {
      stop();
    }
  });

  test('the registry empties when the last dashboard stops; each watcher stops once', () => {
    const first = watchLive();
    const second = watchLive();
    const early = new Queue<number>();
    first();
    first(); // a second stop of the same watcher changes nothing
    assert.ok(liveObjects().includes(early), 'one dashboard still watches');
    second();
    const third = watchLive();
    try {
      assert.deepEqual(liveObjects(), [], 'a dashboard opened later sees only what comes after');
      const later = new Queue<number>();
      assert.deepEqual(liveObjects(), [later]);
    } finally {
      third();
    }
  });
});
