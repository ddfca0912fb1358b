/**
 * Queue producer/consumer: one producer awaits `put(i)` for every item, one consumer
 * awaits `get()` as often and checks that the i-th item it gets is i; unbounded and
 * bounded; against Python's asyncio.Queue, Effect's Queue, a minimal queue (the floor) and
 * two loops that only await a resolved promise per item (no queue: the ceiling of any
 * promise-based queue). Aims: weft at least 6x asyncio.Queue and at least 0.8x the minimal
 * queue.
 * @module
 */
import { Effect, Queue as EffectQueue, Fiber } from 'effect';
import { Queue } from 'weft';
import {
  type Contender,
  makeTable,
  measure,
  pythonRow,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import { MinimalQueue } from './peers/minimal-queue.js';

const WEFT = 'weft Queue';
const ASYNCIO = 'Python asyncio.Queue';
const MINIMAL = 'minimal queue (floor)';
const BARE = 'no queue, an await per item on each side (ceiling)';

/** The consumer's i-th item was not i: the queue lost, duplicated or reordered an item. */
function wrongItem(item: number, i: number): never {
  throw new Error(`the consumer's item ${i} is ${item}`);
}

// Producer and consumer are written out per contender on purpose: closures made from one
// shared function share V8's type feedback, which would slow every contender down.

async function weftProducer(queue: Queue<number>, items: number): Promise<void> {
  for (let i = 0; i < items; i++) await queue.put(i);
}

async function weftConsumer(queue: Queue<number>, items: number): Promise<void> {
  for (let i = 0; i < items; i++) {
    const item = await queue.get();
    if (item !== i) wrongItem(item, i);
  }
}

async function minimalProducer(queue: MinimalQueue<number>, items: number): Promise<void> {
  for (let i = 0; i < items; i++) await queue.put(i);
}

async function minimalConsumer(queue: MinimalQueue<number>, items: number): Promise<void> {
  for (let i = 0; i < items; i++) {
    const item = await queue.get();
    if (item !== i) wrongItem(item, i);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/** What a put that never waits costs at least: one await of a resolved promise. */
async function bareProducer(items: number): Promise<void> {
  for (let i = 0; i < items; i++) await RESOLVED;
}

/** What a get of a ready item costs at least: one await of a promise resolved with it. */
async function bareConsumer(items: number): Promise<void> {
  for (let i = 0; i < items; i++) {
    const item = await Promise.resolve(i);
    if (item !== i) wrongItem(item, i);
  }
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** Effect's idiomatic shape: a producer fiber and a consumer fiber over one Effect Queue. */
function effectProgram(items: number, maxsize: number): Effect.Effect<void> {
  return Effect.gen(function* () {
    const queue =
      maxsize > 0
        ? yield* EffectQueue.bounded<number>(maxsize)
        : yield* EffectQueue.unbounded<number>();
    const consumer = yield* Effect.forkChild(
      Effect.gen(function* () {
        for (let i = 0; i < items; i++) {
          const item = yield* EffectQueue.take(queue);
          if (item !== i) wrongItem(item, i);
        }
      }),
    );
    const producer = yield* Effect.forkChild(
      Effect.forEach(range(items), (i) => EffectQueue.offer(queue, i), { discard: true }),
    );
    yield* Fiber.join(producer);
    yield* Fiber.join(consumer);
  });
}

function contenders(items: number, maxsize: number): Contender[] {
  return [
    {
      name: WEFT,
      run: async () => {
        const queue = new Queue<number>(maxsize);
        await Promise.all([weftProducer(queue, items), weftConsumer(queue, items)]);
      },
    },
    {
      name: 'Effect Queue',
      run: () => Effect.runPromise(effectProgram(items, maxsize)),
    },
    {
      name: MINIMAL,
      run: async () => {
        const queue = new MinimalQueue<number>(maxsize);
        await Promise.all([minimalProducer(queue, items), minimalConsumer(queue, items)]);
      },
    },
    {
      name: BARE,
      run: async () => {
        await Promise.all([bareProducer(items), bareConsumer(items)]);
      },
    },
  ];
}

export async function queueSuites(settings: Settings): Promise<Table[]> {
  const { queueItems: items, queueMaxsize: maxsize } = settings;
  const count = items.toLocaleString('en');

  settings.log(
    `Queue: asyncio.Queue (python3 subprocess, ${items} items, ${settings.rounds} rounds)`,
  );
  const python = runPython('asyncio_queue.py', [items, maxsize, settings.rounds]);

  settings.log(`Queue unbounded: ${items} items`);
  const unbounded = await measure(contenders(items, 0), items, settings);
  settings.log(`Queue maxsize ${maxsize}: ${items} items`);
  const bounded = await measure(contenders(items, maxsize), items, settings);

  const targets = [
    { subject: WEFT, reference: ASYNCIO, atLeast: 6 },
    { subject: WEFT, reference: MINIMAL, atLeast: 0.8 },
  ];
  // How close weft is to the ceiling, and how far above asyncio any promise-based queue can get.
  const comparisons = [
    { subject: WEFT, reference: BARE },
    { subject: BARE, reference: ASYNCIO },
  ];
  const effectNote = 'Effect: producer and consumer fibers (Effect.forkChild), Effect.runPromise.';
  const checkNote =
    "every consumer checks that its i-th item is i (Python's too); the ceiling's consumer " +
    'awaits `Promise.resolve(i)` and its producer a shared resolved promise: no queue at all.';
  return [
    makeTable({
      title: `Queue producer/consumer, unbounded (${count} items)`,
      unit: 'items/s',
      ops: items,
      references: [ASYNCIO, MINIMAL],
      rows: [...unbounded, pythonRow(ASYNCIO, python, 'unbounded')],
      targets,
      comparisons,
      notes: [
        effectNote,
        checkNote,
        'asyncio: put() on an unbounded queue never suspends, so the producer puts every ' +
          'item before the consumer runs; each JS `await` yields once per item.',
      ],
    }),
    makeTable({
      title: `Queue producer/consumer, maxsize ${maxsize} (${count} items)`,
      unit: 'items/s',
      ops: items,
      references: [ASYNCIO, MINIMAL],
      rows: [...bounded, pythonRow(ASYNCIO, python, 'bounded')],
      targets,
      comparisons,
      notes: [effectNote, checkNote],
    }),
  ];
}
