/**
 * Spare threads for warm start: workers running the thread entry, weft's part loaded,
 * waiting for a target. `Thread.start()` takes one when its options allow (no
 * `resourceLimits`, the same environment as when the spare started); `warmStart()` says how
 * many to keep. An idle spare is unref'd (it never keeps the program alive) and not a thread
 * of the program yet: `enumerate()` does not list it until it is handed over.
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../portable/worker-start.js';
import { inheritedNow, type Spare, SparePool, watchSpare } from '../runner/spare-pool.js';
import { HELLO, threadMessageKind } from './protocol.js';
import { THREAD_ENTRY } from './thread-start.js';

/** This thread's spare threads. */
export const spareThreads = new SparePool<Worker>(startSpareThread);

function startSpareThread(died: () => void): Spare<Worker> {
  const startedWith = inheritedNow();
  const worker = startWorker(THREAD_ENTRY, { workerData: {} });
  const watch = watchSpare(worker, (message) => threadMessageKind(message) === 'ready', died);
  worker.unref(); // after the listeners: a 'message' listener refs the worker again
  worker.postMessage(HELLO);
  return {
    worker,
    startedWith,
    ...watch,
    stop: () => worker.terminate().then(ignore, ignore),
  };
}

function ignore(): void {}
