/**
 * Entry of a ThreadPoolExecutor worker thread: the executor runtime over the thread's port,
 * with a shared counter of started tasks the pool reads if this thread dies.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runWorker } from '../worker-runtime.js';

const port = parentPort;
if (port === null)
  throw new Error('pool-thread is the entry of a worker thread, not a module to import');
const startedCounter = (workerData as { started: Int32Array }).started;

runWorker({
  post: (message, transfer) => port.postMessage(message, transfer),
  onMessage: (listener) => port.on('message', listener),
  markStarted: (count) => Atomics.store(startedCounter, 0, count),
});
