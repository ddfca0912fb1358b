// Many producers and many consumers over 10 000 items: every item is received exactly once and
// taskDone/join balance — also when gets and puts are cut short by timeouts and aborts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  SimpleQueue,
} from '../src/index.js';

const ITEMS = 10_000;
const PRODUCERS = 10;
const CONSUMERS = 10;
const STRESS_OPTIONS = { timeout: 8_000 } as const;

/** A small seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Schedules `controller.abort()` at a random moment: a microtask, the next turn, or a timer. */
function abortSoon(controller: AbortController, rnd: () => number, reason: Error): void {
  const r = rnd();
  if (r < 0.3) queueMicrotask(() => controller.abort(reason));
  else if (r < 0.7) setImmediate(() => controller.abort(reason));
  else setTimeout(() => controller.abort(reason), 0);
}

/**
 * How often a worker yields to the others. With chaos, producers and consumers take turns
 * being the slow side every 500 items, so both gets and puts really have to wait.
 */
function pauseChance(role: 'producer' | 'consumer', counter: { next: number }, chaos: boolean) {
  if (!chaos) return 0.1;
  const producersSlow = Math.floor(counter.next / 500) % 2 === 1;
  return (role === 'producer') === producersSlow ? 0.6 : 0.02;
}

interface Run {
  seen: Uint8Array;
  /** Gets and puts that a timeout or abort really cut short (they rejected). */
  cancelledGets: number;
  cancelledPuts: number;
}

/** Puts items, taking the next number from a shared counter; with chaos, through timeouts and aborts. */
async function produce(
  queue: Queue<number>,
  counter: { next: number },
  rnd: () => number,
  chaos: boolean,
  run: Run,
) {
  const reason = new Error('producer abort');
  while (counter.next < ITEMS) {
    const item = counter.next++;
    while (true) {
      const mode = chaos ? rnd() : 0;
      try {
        if (mode < 0.4) await queue.put(item);
        else if (mode < 0.6) await queue.put(item, { timeout: 1 });
        else if (mode < 0.8) {
          const controller = new AbortController();
          abortSoon(controller, rnd, reason);
          await queue.put(item, { signal: controller.signal });
        } else queue.putNowait(item);
        break;
      } catch (err) {
        if (!(err instanceof QueueFull) && err !== reason) throw err;
        run.cancelledPuts++;
        if (mode >= 0.8) await nextTurn();
      }
    }
    if (rnd() < pauseChance('producer', counter, chaos)) await nextTurn();
  }
}

/** Gets until the queue is shut down; with chaos, through timeouts and aborts. */
async function consume(
  queue: Queue<number>,
  counter: { next: number },
  rnd: () => number,
  chaos: boolean,
  run: Run,
) {
  const reason = new Error('consumer abort');
  while (true) {
    const mode = chaos ? rnd() : 0;
    let item: number;
    try {
      if (mode < 0.4) item = await queue.get();
      else if (mode < 0.6) item = await queue.get({ timeout: 1 });
      else if (mode < 0.8) {
        const controller = new AbortController();
        abortSoon(controller, rnd, reason);
        item = await queue.get({ signal: controller.signal });
      } else item = queue.getNowait();
    } catch (err) {
      if (err instanceof QueueShutDown) return;
      if (!(err instanceof QueueEmpty) && err !== reason) throw err;
      run.cancelledGets++;
      if (mode >= 0.8) await nextTurn();
      continue;
    }
    run.seen[item]!++;
    if (rnd() < pauseChance('consumer', counter, chaos)) await nextTurn();
    queue.taskDone();
  }
}

async function exchange(queue: Queue<number>, chaos: boolean, seed: number): Promise<Run> {
  const run: Run = { seen: new Uint8Array(ITEMS), cancelledGets: 0, cancelledPuts: 0 };
  const counter = { next: 0 };
  const consumers = Array.from({ length: CONSUMERS }, (_, i) =>
    consume(queue, counter, random(seed + 100 + i), chaos, run),
  );
  const producers = Array.from({ length: PRODUCERS }, (_, i) =>
    produce(queue, counter, random(seed + i), chaos, run),
  );
  await Promise.all(producers);
  assert.equal(await queue.join(), true);
  queue.shutdown();
  await Promise.all(consumers);
  assert.equal(queue.qsize(), 0);
  assert.throws(() => queue.taskDone(), RuntimeError, 'taskDone was called once per item');
  return run;
}

function assertExactlyOnce(seen: Uint8Array): void {
  const missing = seen.indexOf(0);
  assert.equal(missing, -1, `item ${missing} was never received`);
  const twice = seen.findIndex((n) => n > 1);
  assert.equal(twice, -1, `item ${twice} was received ${seen[twice]} times`);
}

const kinds: [string, () => Queue<number>][] = [
  ['Queue, unbounded', () => new Queue<number>()],
  ['Queue, maxsize 10', () => new Queue<number>(10)],
  ['Queue, maxsize 1', () => new Queue<number>(1)],
  ['LifoQueue, maxsize 10', () => new LifoQueue<number>(10)],
  ['PriorityQueue, maxsize 10', () => new PriorityQueue<number>(10)],
  ['SimpleQueue', () => new SimpleQueue<number>()],
];

describe(`${PRODUCERS} producers and ${CONSUMERS} consumers, ${ITEMS} items`, () => {
  for (const [name, make] of kinds) {
    it(
      `${name}: every item is received exactly once and join completes`,
      STRESS_OPTIONS,
      async () => {
        const run = await exchange(make(), false, 1);
        assertExactlyOnce(run.seen);
      },
    );
  }

  for (const [name, make] of [kinds[0]!, kinds[1]!, kinds[4]!]) {
    it(
      `${name}: still exactly once when timeouts and aborts cut gets and puts short`,
      STRESS_OPTIONS,
      async () => {
        const queue = make();
        const run = await exchange(queue, true, 42);
        assertExactlyOnce(run.seen);
        // The run must really have cancelled waits, or it proves nothing about them.
        assert.ok(run.cancelledGets > 100, `only ${run.cancelledGets} gets were cut short`);
        if (queue.maxsize > 0) {
          assert.ok(run.cancelledPuts > 100, `only ${run.cancelledPuts} puts were cut short`);
        }
      },
    );
  }
});
