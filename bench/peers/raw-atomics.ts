/**
 * The floor of the shared-memory ping-pong: two threads and one `SharedArrayBuffer`, no weft
 * at all. The main thread writes a number and wakes the worker, which waits with
 * `Atomics.wait` and answers by writing it back; the main thread waits for the answer with
 * `Atomics.waitAsync` (its event loop stays free), as a weft queue's async `get` does.
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { RawLink } from './raw-links.js';

const PING = 0;
const PONG = 1;

const ECHO_WORKER = `
const { workerData } = require('node:worker_threads');
const words = new Int32Array(workerData);
let seen = 0;
for (;;) {
  Atomics.wait(words, ${PING}, seen);
  seen = Atomics.load(words, ${PING});
  if (seen === -1) break;
  Atomics.store(words, ${PONG}, seen);
  Atomics.notify(words, ${PONG});
}
`;

type WaitAsync = (
  words: Int32Array,
  index: number,
  value: number,
) => { async: boolean; value: Promise<unknown> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Raw ping-pong round trips with a worker over shared memory, each answer checked. */
export function rawAtomicsPingPong(): RawLink {
  const buffer = new SharedArrayBuffer(8);
  const words = new Int32Array(buffer);
  const worker = new Worker(ECHO_WORKER, { eval: true, workerData: buffer });
  let next = 0;
  return {
    async round(count) {
      for (let i = 0; i < count; i++) {
        next = next === 2 ** 30 ? 1 : next + 1;
        const before = Atomics.load(words, PONG);
        Atomics.store(words, PING, next);
        Atomics.notify(words, PING);
        const wait = waitAsync(words, PONG, before);
        if (wait.async) await wait.value;
        const answer = Atomics.load(words, PONG);
        if (answer !== next) throw new Error(`the worker answered ${answer}, not ${next}`);
      }
    },
    async close() {
      Atomics.store(words, PING, -1);
      Atomics.notify(words, PING);
      await worker.terminate();
    },
  };
}
