/**
 * The floor of streaming items between two threads through shared memory: a ring of `Int32`
 * items with one producer and one consumer, no weft at all — no lock, no item codec, no
 * count of unfinished items, no shutdown, no turn for other threads, no check for dead ones.
 * The producer stores the item, then publishes its tail with one atomic store; the consumer
 * reads the tail, takes what is there and publishes its head. The main thread puts with
 * `await put(i)` and the worker awaits each item, as the SharedQueue contenders do; the
 * worker spins a little, then sleeps in `Atomics.wait` when the ring is empty (saying so in a
 * flag the producer reads after each put, to wake it).
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { RawLink } from './raw-links.js';

/** Items the ring holds (a power of two, more than a round: the producer never waits). */
const CAPACITY = 1 << 22;
/** Control words, a cache line apart: the producer's tail, the consumer's head, its sleeping flag. */
const TAIL = 0;
const HEAD = 16;
const SLEEPING = 32;
const END_OF_ROUND = -1;
const STOP = -2;

const CONSUMER = `
const { workerData, parentPort } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const ring = new Int32Array(workerData.ring);
let head = 0;
async function take() {
  let tail = Atomics.load(control, ${TAIL});
  for (let spins = 0; tail === head; tail = Atomics.load(control, ${TAIL})) {
    if (++spins > 2000) {
      // Says it sleeps, then looks once more: a put after the look sees the flag and wakes it.
      Atomics.store(control, ${SLEEPING}, 1);
      if (Atomics.load(control, ${TAIL}) === tail) Atomics.wait(control, ${TAIL}, tail);
      Atomics.store(control, ${SLEEPING}, 0);
      spins = 0;
    }
  }
  const item = ring[head & ${CAPACITY - 1}];
  head = (head + 1) | 0;
  Atomics.store(control, ${HEAD}, head);
  return item;
}
(async () => {
  let expected = 0;
  for (;;) {
    const item = await take();
    if (item === ${STOP}) return;
    if (item === ${END_OF_ROUND}) { parentPort.postMessage(expected); expected = 0; }
    else if (item === expected) expected++;
  }
})();
`;

/** Items streamed to a worker through a bare single-producer, single-consumer ring. */
export function rawRing(): RawLink {
  const control = new Int32Array(new SharedArrayBuffer(48 * 4));
  const ring = new Int32Array(new SharedArrayBuffer(CAPACITY * 4));
  const worker = new Worker(CONSUMER, {
    eval: true,
    workerData: { control: control.buffer, ring: ring.buffer },
  });
  let tail = 0;
  // Async as a queue's put is: the caller awaits each one.
  async function put(item: number): Promise<void> {
    while (((tail - Atomics.load(control, HEAD)) | 0) >= CAPACITY) await null;
    ring[tail & (CAPACITY - 1)] = item;
    tail = (tail + 1) | 0;
    Atomics.store(control, TAIL, tail);
    if (Atomics.load(control, SLEEPING) !== 0) Atomics.notify(control, TAIL);
  }
  return {
    async round(count) {
      const answer = new Promise<number>((resolve) => worker.once('message', resolve));
      for (let i = 0; i < count; i++) await put(i);
      await put(END_OF_ROUND);
      const received = await answer;
      if (received !== count) throw new Error(`the worker got ${received} of ${count} in order`);
    },
    async close() {
      await put(STOP);
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}
