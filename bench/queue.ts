/**
 * Queue producer/consumer: one producer awaits `put(i)` for every item, one consumer
 * awaits `get()` as often, unbounded and bounded; against Python's asyncio.Queue, Effect's
 * Queue and a minimal queue (the floor). DESIGN.md targets: weft at least 6x asyncio.Queue
 * and at least 0.8x the minimal queue.
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

/** Throws unless the consumer saw each of 0..items-1 exactly once in total. */
function checkSum(sum: number, items: number): void {
  if (sum !== (items * (items - 1)) / 2) throw new Error(`consumer got a wrong sum: ${sum}`);
}

// Producer and consumer are written out per contender on purpose: closures made from one
// shared function share V8's type feedback, which would slow every contender down.

async function weftProducer(queue: Queue<number>, items: number): Promise<void> {
  for (let i = 0; i < items; i++) await queue.put(i);
}

async function weftConsumer(queue: Queue<number>, items: number): Promise<void> {
  let sum = 0;
  for (let i = 0; i < items; i++) sum += await queue.get();
  checkSum(sum, items);
}

async function minimalProducer(queue: MinimalQueue<number>, items: number): Promise<void> {
  for (let i = 0; i < items; i++) await queue.put(i);
}

async function minimalConsumer(queue: MinimalQueue<number>, items: number): Promise<void> {
  let sum = 0;
  for (let i = 0; i < items; i++) sum += await queue.get();
  checkSum(sum, items);
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
        let sum = 0;
        for (let i = 0; i < items; i++) sum += yield* EffectQueue.take(queue);
        return sum;
      }),
    );
    const producer = yield* Effect.forkChild(
      Effect.forEach(range(items), (i) => EffectQueue.offer(queue, i), { discard: true }),
    );
    yield* Fiber.join(producer);
    checkSum(yield* Fiber.join(consumer), items);
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
  const effectNote = 'Effect: producer and consumer fibers (Effect.forkChild), Effect.runPromise.';
  return [
    makeTable({
      title: `Queue producer/consumer, unbounded (${count} items)`,
      unit: 'items/s',
      ops: items,
      references: [ASYNCIO, MINIMAL],
      rows: [...unbounded, pythonRow(ASYNCIO, python, 'unbounded')],
      targets,
      notes: [
        effectNote,
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
      notes: [effectNote],
    }),
  ];
}
