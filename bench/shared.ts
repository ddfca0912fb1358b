/**
 * The shared-memory scope: weft's shared primitives used from worker threads at once, with
 * no owner in between, against the transports under them and Python's threads.
 * SharedQueue streaming from the main thread to a worker thread (`await q.put(i)` there,
 * `get` or `getSync` here) against raw `postMessage` and today's `Queue` handle into a
 * thread; SharedQueue ping-pong against raw `Atomics.wait`/`notify`; SharedLock contended by
 * 2 threads against Python's `threading.Lock`; SharedValue increments under its lock by 2
 * threads against `multiprocessing.Value`. Aims (issue 12): streaming at least 5x raw
 * `postMessage`; ping-pong within 1.2x raw Atomics.
 *
 * Every thread starts once, before the warm-up round, and serves every round. Each round's
 * result is checked (every item, in order; every answer; the lock's counter exact).
 * @module
 */
import { Queue, SharedLock, SharedQueue, SharedValue, Thread } from 'weft';
import { consumeRounds as handleConsumer } from './handles-targets.js';
import {
  makeTable,
  measureServed,
  pythonRow,
  roundContender,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import { rawAtomicsPingPong } from './peers/raw-atomics.js';
import { type RawLink, rawPostMessage } from './peers/raw-links.js';
import { rawRing } from './peers/raw-ring.js';
import {
  consumeRounds,
  END_OF_ROUND,
  echoRounds,
  lockRounds,
  STOP,
  valueRounds,
} from './shared-targets.js';

const SHARED_ASYNC = 'weft SharedQueue, thread takes with get()';
const SHARED_SYNC = 'weft SharedQueue, thread takes with getSync()';
const HANDLE = 'weft Queue handle, worker thread';
const RAW_POST = 'raw postMessage to a worker';
const RAW_RING = 'raw ring, 1 producer 1 consumer (floor)';
const PY_STREAM = 'Python queue.Queue, between threads';
const PING_SYNC = 'weft SharedQueue ping-pong, thread getSync()';
const PING_ASYNC = 'weft SharedQueue ping-pong, thread get()';
const RAW_ATOMICS = 'raw Atomics.wait / waitAsync ping-pong';
const PY_PING = 'Python queue.Queue ping-pong, between threads';
const LOCK_ASYNC = 'weft SharedLock, 2 threads, acquire()';
const LOCK_SYNC = 'weft SharedLock, 2 threads, acquireSync()';
const PY_LOCK = 'Python threading.Lock, 2 threads';
const VALUE_ASYNC = 'weft SharedValue, 2 threads, guard()';
const VALUE_SYNC = 'weft SharedValue, 2 threads, acquireSync()';
const PY_VALUE = 'Python multiprocessing.Value, 2 threads';
/** A SharedQueue's bytes for a streaming round of `items` small ints (8 bytes each), and a mark. */
function roundBytes(items: number): number {
  return Math.ceil(((items + 1) * 8) / (1 << 20)) << 20;
}

/** A consumer thread over a SharedQueue (or a Queue, reached through a handle). */
function streaming(sync: boolean | 'handle', perRound: number): RawLink {
  // Room for a whole round, as postMessage's queue and the Queue's never fill.
  const items =
    sync === 'handle'
      ? new Queue<number>()
      : new SharedQueue<number>({ bytes: roundBytes(perRound) });
  const done = sync === 'handle' ? new Queue<number>() : new SharedQueue<number>();
  const thread =
    sync === 'handle'
      ? new Thread(handleConsumer, { args: [items as Queue<number>, done as Queue<number>] })
      : new Thread(consumeRounds, {
          args: [items as SharedQueue<number>, done as SharedQueue<number>, sync],
        });
  thread.start();
  return {
    async round(count) {
      for (let i = 0; i < count; i++) await items.put(i);
      await items.put(END_OF_ROUND);
      const reported = await done.get();
      if (reported !== count) throw new Error(`the thread reported ${reported}, not ${count}`);
    },
    async close() {
      await items.put(STOP);
      await thread.join();
    },
  };
}

/** Round trips with an echoing thread over two SharedQueues. */
function pingPong(sync: boolean): RawLink {
  const inbox = new SharedQueue<number>();
  const outbox = new SharedQueue<number>();
  const thread = new Thread(echoRounds, { args: [inbox, outbox, sync] });
  thread.start();
  return {
    async round(count) {
      for (let i = 0; i < count; i++) {
        await inbox.put(i);
        const answer = await outbox.get();
        if (answer !== i) throw new Error(`the thread answered ${answer}, not ${i}`);
      }
    },
    async close() {
      await inbox.put(STOP);
      await thread.join();
    },
  };
}

/** Two threads taking one SharedLock `count` times each per round; the counter it guards is checked. */
function contendedLock(sync: boolean): RawLink {
  const lock = new SharedLock();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const done = new SharedQueue<number>();
  const commands = [new SharedQueue<number>(), new SharedQueue<number>()];
  const threads = commands.map(
    (queue) => new Thread(lockRounds, { args: [queue, done, lock, counter, sync] }),
  );
  for (const thread of threads) thread.start();
  return {
    async round(count) {
      counter[0] = 0;
      for (const queue of commands) await queue.put(count);
      for (const _ of commands) await done.get();
      if (counter[0] !== 2 * count) throw new Error(`${counter[0]} increments of ${2 * count}`);
    },
    async close() {
      for (const queue of commands) await queue.put(STOP);
      await Promise.all(threads.map((thread) => thread.join()));
    },
  };
}

/** Two threads adding one to a SharedValue under its lock `count` times each per round; the total is checked. */
function lockedIncrements(sync: boolean): RawLink {
  const value = new SharedValue('i', 0);
  const done = new SharedQueue<number>();
  const commands = [new SharedQueue<number>(), new SharedQueue<number>()];
  const threads = commands.map(
    (queue) => new Thread(valueRounds, { args: [queue, done, value, sync] }),
  );
  for (const thread of threads) thread.start();
  return {
    async round(count) {
      value.value = 0;
      for (const queue of commands) await queue.put(count);
      for (const _ of commands) await done.get();
      if (value.value !== 2 * count) throw new Error(`${value.value} increments of ${2 * count}`);
    },
    async close() {
      for (const queue of commands) await queue.put(STOP);
      await Promise.all(threads.map((thread) => thread.join()));
    },
  };
}

export async function sharedSuites(settings: Settings): Promise<Table[]> {
  const { handleItems: pythonItems, handleOps: ops, sharedStreamItems: items } = settings;
  const trips = Math.max(1_000, ops / 5);
  settings.log(
    `shared: Python threads (python3 subprocess, ${pythonItems} items, ${ops} ops, ${trips} round trips)`,
  );
  const python = runPython('shared.py', [pythonItems, ops, settings.rounds]);

  settings.log(`shared: SharedQueue → worker thread, ${items} items`);
  const links = [
    streaming(false, items),
    streaming(true, items),
    streaming('handle', items),
    rawPostMessage(),
    rawRing(),
  ];
  const streamRows = await measureServed(
    [SHARED_ASYNC, SHARED_SYNC, HANDLE, RAW_POST, RAW_RING].map((name, i) =>
      roundContender(name, links[i]!, items),
    ),
    links,
    items,
    settings,
  );

  settings.log(`shared: SharedQueue ping-pong with a worker thread, ${trips} round trips`);
  const echoes = [pingPong(true), pingPong(false), rawAtomicsPingPong()];
  const pingRows = await measureServed(
    [PING_SYNC, PING_ASYNC, RAW_ATOMICS].map((name, i) => roundContender(name, echoes[i]!, trips)),
    echoes,
    trips,
    settings,
  );

  settings.log(`shared: SharedLock contended by 2 threads, ${ops} acquire + release each`);
  const lockers = [contendedLock(false), contendedLock(true)];
  const lockRows = await measureServed(
    [LOCK_ASYNC, LOCK_SYNC].map((name, i) => roundContender(name, lockers[i]!, ops)),
    lockers,
    2 * ops,
    settings,
  );

  settings.log(`shared: SharedValue incremented under its lock by 2 threads, ${ops} each`);
  const adders = [lockedIncrements(false), lockedIncrements(true)];
  const valueRows = await measureServed(
    [VALUE_ASYNC, VALUE_SYNC].map((name, i) => roundContender(name, adders[i]!, ops)),
    adders,
    2 * ops,
    settings,
  );

  const once =
    'each thread starts once, before the warm-up round, and serves every round; Python ' +
    '(bench/python/shared.py) runs first, in a subprocess of its own, its patterns rotated as ours.';
  return [
    makeTable({
      title: `SharedQueue → a worker thread (${items.toLocaleString('en')} small ints per run)`,
      unit: 'items/s',
      ops: items,
      references: [RAW_POST],
      rows: [...streamRows, pythonRow(PY_STREAM, python, 'queue_stream')],
      targets: [{ subject: SHARED_ASYNC, reference: RAW_POST, atLeast: 5 }],
      comparisons: [
        { subject: SHARED_SYNC, reference: RAW_POST },
        { subject: SHARED_ASYNC, reference: HANDLE },
        { subject: SHARED_ASYNC, reference: PY_STREAM },
        { subject: RAW_RING, reference: RAW_POST },
        { subject: SHARED_ASYNC, reference: RAW_RING },
      ],
      notes: [
        `the SharedQueue has room for a whole round (postMessage and the Queue never fill); Python's threads take ${pythonItems.toLocaleString('en')} items a round (its rate is the same at either count). ` +
          'The main thread puts every item with `await q.put(i)` (a Queue handle: on the Queue ' +
          'itself; raw: `worker.postMessage(i)`), then an end-of-round mark; the thread takes ' +
          'them and reports how many came in order, checked here.',
        'the raw ring (bench/peers/raw-ring.ts) is the floor of any queue in shared memory: ' +
          'one producer and one consumer, an `Int32` per item, two atomic stores per item and a ' +
          "look at the consumer's sleeping flag, nothing else (no lock, codec, count of unfinished " +
          'items, shutdown, turns or dead-thread checks); both sides await each item as the ' +
          'SharedQueue contenders do.',
        once,
      ],
    }),
    makeTable({
      title: `SharedQueue ping-pong with a worker thread (${trips.toLocaleString('en')} round trips per run)`,
      unit: 'round trips/s',
      ops: trips,
      references: [RAW_ATOMICS],
      rows: [...pingRows, pythonRow(PY_PING, python, 'queue_ping_pong')],
      targets: [{ subject: PING_SYNC, reference: RAW_ATOMICS, atLeast: 1 / 1.2 }],
      comparisons: [
        { subject: PING_ASYNC, reference: RAW_ATOMICS },
        { subject: PING_SYNC, reference: PY_PING },
      ],
      notes: [
        'the main thread puts a number (`await inbox.put(i)`) and awaits the answer ' +
          '(`await outbox.get()`); the thread takes it and puts it back. Raw: the main thread ' +
          'writes a word and `Atomics.notify`s, awaits the answer with `Atomics.waitAsync`; the ' +
          'worker blocks in `Atomics.wait`. "Within 1.2 times" is a ratio of at least 1/1.2.',
        once,
      ],
    }),
    makeTable({
      title: `SharedLock contended by 2 threads (${ops.toLocaleString('en')} acquire + release each per run)`,
      unit: 'acquire+release/s',
      ops: 2 * ops,
      references: [PY_LOCK],
      rows: [...lockRows, pythonRow(PY_LOCK, python, 'lock_2_threads')],
      targets: [],
      comparisons: [
        { subject: LOCK_ASYNC, reference: PY_LOCK },
        { subject: LOCK_SYNC, reference: PY_LOCK },
      ],
      notes: [
        'each of 2 threads takes the lock and releases it, adding one to a shared counter while ' +
          'it holds it (checked); the lock is handed over in FIFO order between threads, where ' +
          "Python's GIL lets one thread run many turns alone.",
        once,
      ],
    }),
    makeTable({
      title: `SharedValue incremented under its lock by 2 threads (${ops.toLocaleString('en')} each per run)`,
      unit: 'increments/s',
      ops: 2 * ops,
      references: [PY_VALUE],
      rows: [...valueRows, pythonRow(PY_VALUE, python, 'value_2_threads')],
      targets: [],
      comparisons: [
        { subject: VALUE_ASYNC, reference: PY_VALUE },
        { subject: VALUE_SYNC, reference: PY_VALUE },
      ],
      notes: [
        'each of 2 threads does `using _ = await v.getLock().guard(); v.value += 1` (or ' +
          '`acquireSync`/`release` around it); Python: `with v.get_lock(): v.value += 1` on a ' +
          "`multiprocessing.Value('i')` in 2 threads. The total is checked.",
        once,
      ],
    }),
  ];
}
