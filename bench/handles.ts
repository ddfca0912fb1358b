/**
 * Handles at wire speed: weft primitives used from another process or thread, against
 * Python's multiprocessing and the raw transport under them. Queue → 1 consumer child
 * process (`await q.get()` in a loop, small integers) against `multiprocessing.Queue`,
 * `JoinableQueue` and `Manager().Queue()`; Queue ← 1 producer child process (`await
 * q.put(i)` in a loop, pipelined under credits) against `multiprocessing.Queue` with the
 * producer in the child; Queue → a worker thread against raw
 * `postMessage` (and Python's `queue.Queue` between threads); Manager dict set + get from a
 * child against Python's Manager dict; Lock acquire + release from a child, uncontended,
 * against `multiprocessing.Lock`, with the raw round trip between two Node processes
 * beside it. Aims (issue 11): Queue → process at least 2x `multiprocessing.Queue`; Queue →
 * thread at least 0.5x raw `postMessage`; Manager dict at least 2x Python's.
 *
 * Every child starts once, before the warm-up round, and serves every round: a round
 * times the traffic, not a start-up. Each round's result is checked (every item received,
 * in order; every get right; every acquire granted).
 * @module
 */
import { Lock, Manager, Process, Queue, Thread } from 'weft';
import {
  consumeRounds,
  dictRounds,
  END_OF_ROUND,
  lockRounds,
  produceRounds,
  STOP,
  shareRounds,
} from './handles-targets.js';
import {
  type Contender,
  makeTable,
  measure,
  pythonRow,
  type Row,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import { type RawLink, rawPostMessage, rawRoundTrips } from './peers/raw-links.js';

const WEFT_QUEUE_PROCESS = 'weft Queue handle, child process';
const PY_QUEUE = 'Python multiprocessing.Queue';
const PY_JOINABLE = 'Python multiprocessing.JoinableQueue';
const PY_MANAGER_QUEUE = 'Python Manager().Queue()';
const WEFT_QUEUE_THREAD = 'weft Queue handle, worker thread';
const RAW_POST = 'raw postMessage to a worker (floor)';
const PY_THREAD_QUEUE = 'Python queue.Queue, between threads';
const WEFT_DICT = 'weft Manager dict, child process';
const PY_DICT = 'Python Manager dict, child process';
const WEFT_PRODUCER = 'weft Queue handle, producer child process';
const PY_PRODUCER = 'Python multiprocessing.Queue, producer child process';
const WEFT_QUEUE_TWO = 'weft Queue handle, 2 child processes';
const PY_QUEUE_TWO = 'Python multiprocessing.Queue, 2 child processes';
const WEFT_LOCK = 'weft Lock handle, child process';
const PY_LOCK = 'Python multiprocessing.Lock, child process';
const RAW_TRIP = 'raw round trip to a child process (floor)';

/** A child (or thread) serving rounds. */
interface Served extends RawLink {}

type Child = Process | Thread;

/**
 * A weft child started by `start` with two Queues of this process: `feed` puts a round's
 * work on the first, the child reports on the second how many it did right (checked here);
 * `stop` on the first ends it.
 */
function weftChild(
  start: (input: Queue<number>, done: Queue<number>) => Child,
  feed: (input: Queue<number>, count: number) => void,
  stop: number,
): Served {
  const input = new Queue<number>();
  const done = new Queue<number>();
  const child = start(input, done);
  child.start();
  return {
    async round(count) {
      feed(input, count);
      const reported = await done.get();
      if (reported !== count) throw new Error(`the child reported ${reported}, not ${count}`);
    },
    async close() {
      input.putNowait(stop);
      await child.join();
    },
  };
}

/** A consumer of a weft Queue: every item of a round, then the end-of-round mark. */
function weftConsumer(start: (items: Queue<number>, done: Queue<number>) => Child): Served {
  return weftChild(
    start,
    (items, count) => {
      for (let i = 0; i < count; i++) items.putNowait(i);
      items.putNowait(END_OF_ROUND);
    },
    STOP,
  );
}

/**
 * Consumers sharing one Queue: each round gives each a go, puts the items and one
 * end-of-round mark per consumer, and checks that their counts add up.
 */
function weftSharers(consumers: number): Served {
  const items = new Queue<number>();
  const done = new Queue<number>();
  const gates = Array.from({ length: consumers }, () => new Queue<number>());
  const children = gates.map((go) => new Process(shareRounds, { args: [items, go, done] }));
  for (const child of children) child.start();
  return {
    async round(count) {
      for (const go of gates) go.putNowait(0);
      for (let i = 0; i < count; i++) items.putNowait(i);
      for (let i = 0; i < consumers; i++) items.putNowait(END_OF_ROUND);
      let total = 0;
      for (let i = 0; i < consumers; i++) {
        const reported = await done.get();
        if (reported < 0) throw new Error('a consumer got items out of order');
        total += reported;
      }
      if (total !== count) throw new Error(`the consumers took ${total} items, not ${count}`);
    },
    async close() {
      for (const go of gates) go.putNowait(STOP);
      await Promise.all(children.map((child) => child.join()));
    },
  };
}

/**
 * A producer child: each round it is given the count, puts that many items and the
 * end-of-round mark with `await q.put(i)`; the parent takes them from its own queue and
 * checks that every one came, in order.
 */
function weftProducer(): Served {
  const commands = new Queue<number>();
  const items = new Queue<number>();
  const child = new Process(produceRounds, { args: [commands, items] });
  child.start();
  return {
    async round(count) {
      commands.putNowait(count);
      for (let expected = 0; ; expected++) {
        const item = await items.get();
        if (item === END_OF_ROUND) {
          if (expected !== count) throw new Error(`${expected} items came, not ${count}`);
          return;
        }
        if (item !== expected) throw new Error(`item ${item} came where ${expected} was due`);
      }
    },
    async close() {
      commands.putNowait(-1);
      await child.join();
    },
  };
}

/** A child process given the count of a round, which does it. */
function weftCommanded(start: (commands: Queue<number>, done: Queue<number>) => Process): Served {
  return weftChild(start, (commands, count) => commands.putNowait(count), -1);
}

function contender(name: string, served: Served, count: number): Contender {
  return { name, run: () => served.round(count) };
}

/** Measures `contenders`, then closes every child they use, even when a round failed. */
async function measured(
  contenders: Contender[],
  served: Served[],
  ops: number,
  settings: Settings,
): Promise<Row[]> {
  try {
    return await measure(contenders, ops, settings);
  } finally {
    await Promise.all(served.map((one) => one.close()));
  }
}

export async function handlesSuites(settings: Settings): Promise<Table[]> {
  const { handleItems: items, handleOps: ops } = settings;
  settings.log(
    `handles: Python multiprocessing (python3 subprocess, ${items} items, ${ops} ops, ${settings.rounds} rounds)`,
  );
  const python = runPython('handles.py', [items, ops, settings.rounds]);

  settings.log(`handles: Queue → child process, ${items} items`);
  const toProcess = weftConsumer(
    (queue, done) => new Process(consumeRounds, { args: [queue, done] }),
  );
  const processRows = await measured(
    [contender(WEFT_QUEUE_PROCESS, toProcess, items)],
    [toProcess],
    items,
    settings,
  );

  settings.log(`handles: Queue ← producer child process, ${items} items`);
  const fromProcess = weftProducer();
  const producerRows = await measured(
    [contender(WEFT_PRODUCER, fromProcess, items)],
    [fromProcess],
    items,
    settings,
  );

  settings.log(`handles: Queue → 2 child processes, ${items} items`);
  const toTwo = weftSharers(2);
  const twoRows = await measured(
    [contender(WEFT_QUEUE_TWO, toTwo, items)],
    [toTwo],
    items,
    settings,
  );

  settings.log(`handles: Queue → worker thread, ${items} items`);
  const toThread = weftConsumer(
    (queue, done) => new Thread(consumeRounds, { args: [queue, done] }),
  );
  const raw = rawPostMessage();
  const threadRows = await measured(
    [contender(WEFT_QUEUE_THREAD, toThread, items), contender(RAW_POST, raw, items)],
    [toThread, raw],
    items,
    settings,
  );

  settings.log(`handles: Manager dict set + get from a child, ${ops} of each`);
  const manager = new Manager();
  const dict = manager.dict<number, number>();
  const dictChild = weftCommanded(
    (commands, done) => new Process(dictRounds, { args: [commands, done, dict] }),
  );
  let dictRows: Row[];
  try {
    // Each count is a set and a get: 2 operations.
    dictRows = await measured(
      [contender(WEFT_DICT, dictChild, ops)],
      [dictChild],
      2 * ops,
      settings,
    );
  } finally {
    manager.shutdown();
  }

  settings.log(`handles: Lock acquire + release from a child, ${ops} per round`);
  const lock = new Lock();
  const lockChild = weftCommanded(
    (commands, done) => new Process(lockRounds, { args: [commands, done, lock] }),
  );
  const trips = rawRoundTrips();
  const lockRows = await measured(
    [contender(WEFT_LOCK, lockChild, ops), contender(RAW_TRIP, trips, ops)],
    [lockChild, trips],
    ops,
    settings,
  );

  const count = items.toLocaleString('en');
  const checked =
    'each round is checked: the consumer counts the items that came in order (0, 1, 2, ...) ' +
    'and reports at an end-of-round mark; the parent compares with what it put.';
  const once =
    'each child starts once, before the warm-up round, and serves every round; Python ' +
    '(bench/python/handles.py) runs first, in a subprocess of its own, its patterns rotated as ours.';
  return [
    makeTable({
      title: `Queue → 1 consumer process (${count} small ints per run)`,
      unit: 'items/s',
      ops: items,
      references: [PY_QUEUE],
      rows: [
        ...processRows,
        pythonRow(PY_QUEUE, python, 'mp_queue'),
        pythonRow(PY_JOINABLE, python, 'mp_joinable_queue'),
        pythonRow(PY_MANAGER_QUEUE, python, 'manager_queue'),
      ],
      targets: [{ subject: WEFT_QUEUE_PROCESS, reference: PY_QUEUE, atLeast: 2 }],
      comparisons: [{ subject: WEFT_QUEUE_PROCESS, reference: PY_MANAGER_QUEUE }],
      notes: [
        'the parent puts every item (weft `putNowait` on the owner, Python `put`), then the ' +
          'consumer child takes them with `await q.get()` (Python `q.get()`; JoinableQueue ' +
          'also `task_done()`).',
        checked,
        once,
      ],
    }),
    makeTable({
      title: `Queue ← 1 producer process (${count} small ints per run)`,
      unit: 'items/s',
      ops: items,
      references: [PY_PRODUCER],
      rows: [...producerRows, pythonRow(PY_PRODUCER, python, 'mp_queue_producer')],
      targets: [],
      comparisons: [{ subject: WEFT_PRODUCER, reference: PY_PRODUCER }],
      notes: [
        'the producer child is given the count and puts every item with `await q.put(i)` ' +
          '(Python `q.put(i)`), then an end-of-round mark; the parent takes them from the ' +
          'queue (weft `await q.get()` on the owner, Python `q.get()`) and checks that each ' +
          'came, in order.',
        once,
      ],
    }),
    makeTable({
      title: `Queue → 2 consumer processes (${count} small ints per run)`,
      unit: 'items/s',
      ops: items,
      references: [PY_QUEUE_TWO],
      rows: [...twoRows, pythonRow(PY_QUEUE_TWO, python, 'mp_queue_2')],
      targets: [{ subject: WEFT_QUEUE_TWO, reference: PY_QUEUE_TWO, atLeast: 2 }],
      notes: [
        'two consumer children share one queue: each round the parent gives each a go (on a ' +
          'queue of its own), puts every item and one end-of-round mark per consumer; each ' +
          'takes items (weft `for await` over the handle, leaving it at its mark; Python ' +
          '`q.get()`) and reports how many it took, all in increasing order; the counts must ' +
          'add up.',
        once,
      ],
    }),
    makeTable({
      title: `Queue → worker thread (${count} small ints per run)`,
      unit: 'items/s',
      ops: items,
      references: [RAW_POST],
      rows: [...threadRows, pythonRow(PY_THREAD_QUEUE, python, 'thread_queue')],
      targets: [{ subject: WEFT_QUEUE_THREAD, reference: RAW_POST, atLeast: 0.5 }],
      comparisons: [{ subject: WEFT_QUEUE_THREAD, reference: PY_THREAD_QUEUE }],
      notes: [
        'raw postMessage: one `worker.postMessage(i)` per item to a worker that checks their ' +
          'order and answers the count; no weft at all.',
        checked,
        once,
      ],
    }),
    makeTable({
      title: `Manager dict from a child process (${ops.toLocaleString('en')} set + get per run)`,
      unit: 'ops/s',
      ops: 2 * ops,
      references: [PY_DICT],
      rows: [...dictRows, pythonRow(PY_DICT, python, 'manager_dict')],
      targets: [{ subject: WEFT_DICT, reference: PY_DICT, atLeast: 2 }],
      notes: [
        'the child does `await d.set(i % 64, i)` then `await d.get(i % 64)` (Python ' +
          '`d[i % 64] = i`, `d[i % 64]`), each get checked; a set and a get count as 2 ops.',
        once,
      ],
    }),
    makeTable({
      title: `Lock from a child process, uncontended (${ops.toLocaleString('en')} acquire + release per run)`,
      unit: 'ops/s',
      ops,
      references: [PY_LOCK, RAW_TRIP],
      rows: [...lockRows, pythonRow(PY_LOCK, python, 'mp_lock')],
      targets: [],
      comparisons: [
        { subject: WEFT_LOCK, reference: PY_LOCK },
        { subject: WEFT_LOCK, reference: RAW_TRIP },
      ],
      notes: [
        'an op is one `await lock.acquire()` + `await lock.release()` (Python `acquire()` + ' +
          '`release()`, a semaphore in shared memory: no message at all).',
        'raw round trip: one byte written to a child process that echoes it on stdout, ' +
          'awaited before the next (an op of that row is one round trip).',
        once,
      ],
    }),
  ];
}
