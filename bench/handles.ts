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
 *
 * Each table is a part that runs alone too (`HANDLES_PARTS`): `node --import tsx
 * bench/run.ts handles:manager` measures only the Manager dict, and Python only its peer.
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
  makeTable,
  measureServed,
  type PythonResult,
  pythonRow,
  type Row,
  roundContender,
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

/** Measures one contender, `served` by one child (`count` per round, `ops` per run), then closes it. */
function measuredAlone(
  name: string,
  served: Served,
  count: number,
  ops: number,
  settings: Settings,
): Promise<Row[]> {
  return measureServed([roundContender(name, served, count)], [served], ops, settings);
}

/** Measures one part of the suite and makes its table, given Python's figures. */
type PartRun = (settings: Settings, python: PythonResult) => Promise<Table>;

const CHECKED =
  'each round is checked: the consumer counts the items that came in order (0, 1, 2, ...) ' +
  'and reports at an end-of-round mark; the parent compares with what it put.';
const ONCE =
  'each child starts once, before the warm-up round, and serves every round; Python ' +
  '(bench/python/handles.py) runs first, in a subprocess of its own, its patterns rotated as ours.';

const queueToProcess: PartRun = async (settings, python) => {
  const items = settings.handleItems;
  settings.log(`handles: Queue → child process, ${items} items`);
  const toProcess = weftConsumer(
    (queue, done) => new Process(consumeRounds, { args: [queue, done] }),
  );
  const rows = await measuredAlone(WEFT_QUEUE_PROCESS, toProcess, items, items, settings);
  return makeTable({
    title: `Queue → 1 consumer process (${items.toLocaleString('en')} small ints per run)`,
    unit: 'items/s',
    ops: items,
    references: [PY_QUEUE],
    rows: [
      ...rows,
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
      CHECKED,
      ONCE,
    ],
  });
};

const queueFromProducer: PartRun = async (settings, python) => {
  const items = settings.handleItems;
  settings.log(`handles: Queue ← producer child process, ${items} items`);
  const fromProcess = weftProducer();
  const rows = await measuredAlone(WEFT_PRODUCER, fromProcess, items, items, settings);
  return makeTable({
    title: `Queue ← 1 producer process (${items.toLocaleString('en')} small ints per run)`,
    unit: 'items/s',
    ops: items,
    references: [PY_PRODUCER],
    rows: [...rows, pythonRow(PY_PRODUCER, python, 'mp_queue_producer')],
    targets: [],
    comparisons: [{ subject: WEFT_PRODUCER, reference: PY_PRODUCER }],
    notes: [
      'the producer child is given the count and puts every item with `await q.put(i)` ' +
        '(Python `q.put(i)`), then an end-of-round mark; the parent takes them from the ' +
        'queue (weft `await q.get()` on the owner, Python `q.get()`) and checks that each ' +
        'came, in order.',
      ONCE,
    ],
  });
};

const queueToTwo: PartRun = async (settings, python) => {
  const items = settings.handleItems;
  settings.log(`handles: Queue → 2 child processes, ${items} items`);
  const toTwo = weftSharers(2);
  const rows = await measuredAlone(WEFT_QUEUE_TWO, toTwo, items, items, settings);
  return makeTable({
    title: `Queue → 2 consumer processes (${items.toLocaleString('en')} small ints per run)`,
    unit: 'items/s',
    ops: items,
    references: [PY_QUEUE_TWO],
    rows: [...rows, pythonRow(PY_QUEUE_TWO, python, 'mp_queue_2')],
    targets: [{ subject: WEFT_QUEUE_TWO, reference: PY_QUEUE_TWO, atLeast: 2 }],
    notes: [
      'two consumer children share one queue: each round the parent gives each a go (on a ' +
        'queue of its own), puts every item and one end-of-round mark per consumer; each ' +
        'takes items (weft `for await` over the handle, leaving it at its mark; Python ' +
        '`q.get()`) and reports how many it took, all in increasing order; the counts must ' +
        'add up.',
      ONCE,
    ],
  });
};

const queueToThread: PartRun = async (settings, python) => {
  const items = settings.handleItems;
  settings.log(`handles: Queue → worker thread, ${items} items`);
  const toThread = weftConsumer(
    (queue, done) => new Thread(consumeRounds, { args: [queue, done] }),
  );
  const raw = rawPostMessage();
  const rows = await measureServed(
    [roundContender(WEFT_QUEUE_THREAD, toThread, items), roundContender(RAW_POST, raw, items)],
    [toThread, raw],
    items,
    settings,
  );
  return makeTable({
    title: `Queue → worker thread (${items.toLocaleString('en')} small ints per run)`,
    unit: 'items/s',
    ops: items,
    references: [RAW_POST],
    rows: [...rows, pythonRow(PY_THREAD_QUEUE, python, 'thread_queue')],
    targets: [{ subject: WEFT_QUEUE_THREAD, reference: RAW_POST, atLeast: 0.5 }],
    comparisons: [{ subject: WEFT_QUEUE_THREAD, reference: PY_THREAD_QUEUE }],
    notes: [
      'raw postMessage: one `worker.postMessage(i)` per item to a worker that checks their ' +
        'order and answers the count; no weft at all.',
      CHECKED,
      ONCE,
    ],
  });
};

const managerDict: PartRun = async (settings, python) => {
  const ops = settings.handleOps;
  settings.log(`handles: Manager dict set + get from a child, ${ops} of each`);
  const manager = new Manager();
  const dict = manager.dict<number, number>();
  const dictChild = weftCommanded(
    (commands, done) => new Process(dictRounds, { args: [commands, done, dict] }),
  );
  let rows: Row[];
  try {
    // Each count is a set and a get: 2 operations.
    rows = await measuredAlone(WEFT_DICT, dictChild, ops, 2 * ops, settings);
  } finally {
    manager.shutdown();
  }
  return makeTable({
    title: `Manager dict from a child process (${ops.toLocaleString('en')} set + get per run)`,
    unit: 'ops/s',
    ops: 2 * ops,
    references: [PY_DICT],
    rows: [...rows, pythonRow(PY_DICT, python, 'manager_dict')],
    targets: [{ subject: WEFT_DICT, reference: PY_DICT, atLeast: 2 }],
    notes: [
      'the child does `await d.set(i % 64, i)` then `await d.get(i % 64)` (Python ' +
        '`d[i % 64] = i`, `d[i % 64]`), each get checked; a set and a get count as 2 ops.',
      'weft lends the dict to the child that uses it alone (docs/manager.md, "Dicts lent to ' +
        'the handle that uses them"): its gets are answered in the child, its sets go on to ' +
        'the owner without waiting; each Python op is one round trip.',
      ONCE,
    ],
  });
};

const lockFromChild: PartRun = async (settings, python) => {
  const ops = settings.handleOps;
  settings.log(`handles: Lock acquire + release from a child, ${ops} per round`);
  const lock = new Lock();
  const lockChild = weftCommanded(
    (commands, done) => new Process(lockRounds, { args: [commands, done, lock] }),
  );
  const trips = rawRoundTrips();
  const rows = await measureServed(
    [roundContender(WEFT_LOCK, lockChild, ops), roundContender(RAW_TRIP, trips, ops)],
    [lockChild, trips],
    ops,
    settings,
  );
  return makeTable({
    title: `Lock from a child process, uncontended (${ops.toLocaleString('en')} acquire + release per run)`,
    unit: 'ops/s',
    ops,
    references: [PY_LOCK, RAW_TRIP],
    rows: [...rows, pythonRow(PY_LOCK, python, 'mp_lock')],
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
      ONCE,
    ],
  });
};

/**
 * The parts of the suite, in the order they run, each one table, with the Python patterns
 * of bench/python/handles.py it shows: `bench/run.ts handles:manager` runs only that part.
 */
const PARTS: Record<string, { run: PartRun; python: readonly string[] }> = {
  'queue-process': {
    run: queueToProcess,
    python: ['mp_queue', 'mp_joinable_queue', 'manager_queue'],
  },
  producer: { run: queueFromProducer, python: ['mp_queue_producer'] },
  'queue-two': { run: queueToTwo, python: ['mp_queue_2'] },
  thread: { run: queueToThread, python: ['thread_queue'] },
  manager: { run: managerDict, python: ['manager_dict'] },
  lock: { run: lockFromChild, python: ['mp_lock'] },
};

/** The names of the suite's parts (`handles:NAME` on bench/run.ts's command line). */
export const HANDLES_PARTS: readonly string[] = Object.keys(PARTS);

export async function handlesSuites(settings: Settings): Promise<Table[]> {
  const { handleItems: items, handleOps: ops } = settings;
  const only = settings.parts?.handles;
  const parts = HANDLES_PARTS.filter((name) => only === undefined || only.includes(name));
  const patterns = parts.flatMap((name) => PARTS[name]!.python);
  settings.log(
    `handles: Python multiprocessing (python3 subprocess, ${items} items, ${ops} ops, ${settings.rounds} rounds)`,
  );
  const python = runPython('handles.py', [items, ops, settings.rounds, patterns.join(',')]);
  const tables: Table[] = [];
  for (const name of parts) tables.push(await PARTS[name]!.run(settings, python));
  return tables;
}
