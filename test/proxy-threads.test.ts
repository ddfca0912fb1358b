// Handles across real threads: each primitive lives in the main thread, a worker started with
// it as an argument (encoded as Thread and the pool encode arguments) uses it through a handle,
// and the test watches the very primitive here.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { decodeValue, encodeValues } from '../src/codec/codec.js';
import { decodeError } from '../src/codec/error-codec.js';
import {
  Actor,
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Exchange,
  HandleClosedError,
  Lock,
  Queue,
  QueueHandle,
  RLock,
  RuntimeError,
  spawn,
} from '../src/index.js';
import { startWorker } from '../src/portable/worker-start.js';
import { GETTERS } from '../src/queue/getters.js';
import { track, until, WORKER_SUITE } from './support/async-helpers.js';

const WORKER = new URL('./fixtures/proxy-worker.ts', import.meta.url);
const OPTIONS = WORKER_SUITE;
const started = new Set<Worker>();

after(async () => {
  await Promise.all([...started].map((worker) => worker.terminate()));
});

interface Started {
  worker: Worker;
  /** What the scenario returned; rejects with what it threw. */
  result: Promise<unknown>;
  /** The values the scenario posted before it ended, decoded, in order. */
  posted: unknown[];
  /** The worker's exit code, once it exited by itself or was terminated. */
  exited: Promise<number>;
}

/** Starts the fixture worker on `scenario`, its arguments encoded as a Thread encodes them. */
function inWorker(scenario: string, ...args: unknown[]): Started {
  const { values, transfer } = encodeValues(args, `worker ${scenario}`);
  // startWorker: new Worker() with the program's TypeScript loader active in the worker (Node 20).
  const worker = startWorker(WORKER, { workerData: { scenario, values }, transferList: transfer });
  started.add(worker);
  const posted: unknown[] = [];
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const result = new Promise<unknown>((resolve, reject) => {
    worker.on('message', (message: { type: string; value?: unknown; error?: unknown }) => {
      if (message.type === 'post') posted.push(decodeValue(message.value));
      else if (message.type === 'result') resolve(decodeValue(message.value));
      else reject(decodeError(message.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the worker exited (${code}) without a result`)),
    );
  });
  result.catch(() => {});
  return { worker, result, posted, exited };
}

describe('handles in worker threads', OPTIONS, () => {
  test('a worker consumes a queue; join and taskDone meet across threads; an idle handle lets it exit', async () => {
    const queue = new Queue<number>(2);
    const run = inWorker('consume', queue);
    for (let i = 1; i <= 6; i++) await queue.put(i);
    assert.equal(await queue.join(), true, 'every item was marked done in the worker');
    queue.shutdown();
    assert.deepEqual(await run.result, [1, 2, 3, 4, 5, 6]);
    assert.equal(await run.exited, 0, 'the worker ended on its own, not terminated');
  });

  test('a worker and the main thread contend for a lock: no update is lost', async () => {
    const lock = new Lock();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const rounds = 40;
    const run = inWorker('contend', lock, counter, rounds);
    for (let i = 0; i < rounds; i++) {
      await lock.acquire();
      const seen = counter[0]!;
      await nextTurn();
      counter[0] = seen + 1;
      lock.release();
    }
    assert.equal(await run.result, 'done');
    assert.equal(counter[0], 2 * rounds);
    // The worker may still hold the lock on loan, idle: the owner sees it free once told.
    await until(() => !lock.locked(), 'the worker’s last release reached the owner');
  });

  test('an RLock held by a worker is re-entrant for it and refused to everyone else', async () => {
    const rlock = new RLock();
    const held = new Event();
    const go = new Event();
    const run = inWorker('reenter', rlock, held, go);
    await held.wait();
    assert.equal(rlock.locked(), true);
    await spawn(async () => {
      assert.equal(rlock.tryAcquire(), false);
      assert.throws(() => rlock.release(), RuntimeError);
    });
    go.set();
    assert.deepEqual(await run.result, { twice: [true, true], otherTask: false, stillHeld: true });
    assert.equal(rlock.locked(), false, 'the worker released both levels');
  });

  test('a worker takes and gives back permits of a bounded semaphore', async () => {
    const sem = new BoundedSemaphore(3);
    const taken = new Event();
    const go = new Event();
    const run = inWorker('permits', sem, taken, go);
    await taken.wait();
    assert.equal(sem.value, 1);
    go.set();
    assert.equal(await run.result, 'RuntimeError', 'the bound holds across threads');
    assert.equal(sem.value, 3);
  });

  test('a worker waits for an event the main thread sets', async () => {
    const set = new Event();
    const run = inWorker('events', set, new Event());
    setTimeout(() => set.set(), 5);
    assert.deepEqual(await run.result, [true, false, true]);
  });

  test('a worker waits under a condition until the main thread notifies it enough', async () => {
    const cond = new Condition();
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const run = inWorker('condition', cond, counter);
    await until(() => Atomics.load(counter, 1) === 1 && !cond.locked(), 'the worker waits');
    for (let i = 0; i < 3; i++) {
      await cond.acquire();
      Atomics.add(counter, 0, 1);
      cond.notify();
      cond.release();
    }
    assert.equal(await run.result, 3);
    assert.equal(cond.locked(), false);
  });

  test('a worker and the main thread meet at a barrier, generation after generation', async () => {
    const barrier = new Barrier(2);
    const run = inWorker('barrier', barrier);
    const mine: number[] = [];
    for (let i = 0; i < 3; i++) mine.push(await barrier.wait());
    const theirs = (await run.result) as number[];
    assert.deepEqual(
      mine.map((index, i) => index + theirs[i]!),
      [1, 1, 1],
    );
  });

  test('a worker publishes to an exchange and subscribes a queue of its own to it', async () => {
    const exchange = new Exchange<string>();
    const inbox = new Queue<string>();
    exchange.attach(inbox);
    const ready = new Event();
    const run = inWorker('exchange', exchange, ready);
    assert.equal(await inbox.get(), 'from the worker');
    await ready.wait();
    assert.equal(exchange.size, 2);
    await exchange.send('to the worker');
    assert.equal(await run.result, 'to the worker');
    assert.equal(exchange.size, 1, 'the worker detached its queue');
  });

  test('a worker asks an actor of the main thread', async () => {
    await using actor = new Actor<number, number>({ handler: (n) => n * n }).start();
    const run = inWorker('ask', actor);
    assert.deepEqual(await run.result, [9, 16]);
  });

  test('an abort in the worker withdraws its get: the next item stays in the queue', async () => {
    const queue = new Queue<string>();
    const run = inWorker('abortGet', queue);
    assert.equal(await run.result, 'changed my mind');
    assert.equal(queue[GETTERS].length, 0);
    queue.putNowait('kept');
    assert.equal(queue.qsize(), 1);
  });

  test('a worker terminated while waiting leaves no getter behind', async () => {
    const queue = new Queue<string>();
    const waiting = new Event();
    const run = inWorker('getForever', queue, waiting);
    await waiting.wait();
    assert.equal(queue[GETTERS].length, 1);
    await run.worker.terminate();
    await until(() => queue[GETTERS].length === 0, 'the owner withdrew the get');
    queue.putNowait('kept');
    assert.equal(queue.qsize(), 1);
  });

  test('a handle whose owner thread ended fails its pending and later calls', async () => {
    const go = new Event();
    const run = inWorker('ownQueue', go);
    await until(() => run.posted.length === 1, 'the worker sent its queue');
    const handle = run.posted[0] as QueueHandle<string>;
    assert.ok(handle instanceof QueueHandle);
    assert.equal(await handle.get(), 'from the worker');
    const pending = track(handle.get());
    await handle.qsize(); // the get is parked in the worker
    go.set();
    assert.equal(await run.result, 'ended');
    await assert.rejects(pending.promise, HandleClosedError);
    await assert.rejects(handle.put('late'), HandleClosedError);
  });

  test('a handle a worker passes back reaches the same primitive', async () => {
    const queue = new Queue<number>();
    const run = inWorker('echo', { nested: [queue] });
    const { nested } = (await run.result) as { nested: [QueueHandle<number>] };
    assert.ok(nested[0] instanceof QueueHandle);
    await nested[0].put(5);
    assert.equal(queue.getNowait(), 5);
  });
});
