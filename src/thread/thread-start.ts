/**
 * Starting a worker that is a thread of the process from its first instant: the starting
 * thread claims its entry in the shared thread table before the worker runs (so it is
 * listed, and knows its own name, before any of its code runs), gives the entry the
 * worker's ident, and frees it again if the worker cannot start. `Thread` and the thread
 * pool's workers start this way; whoever starts one frees its entry when it exits.
 * @module
 */
import { threadId, type Worker, type WorkerOptions } from 'node:worker_threads';
import { startWorker } from '../portable/worker-start.js';
import { BOOT, type ThreadBoot } from './protocol.js';
import { threadTable } from './registry.js';
import type { TableKey } from './thread-table.js';

/** A started worker and its place in the thread table (free it with `threadTable().release(key)`). */
export interface StartedWorker {
  readonly worker: Worker;
  readonly key: TableKey;
}

/**
 * `startWorker(entry, options)` for a thread named `name`, whose parent is the calling
 * thread. `options.workerData`, if given, must be an object (the thread's boot record is
 * added to it).
 */
export function startThreadWorker(
  entry: URL,
  name: string,
  daemon: boolean,
  options: WorkerOptions,
): StartedWorker {
  const table = threadTable();
  const key = table.claim(threadId, daemon, name);
  const boot: ThreadBoot = { table: table.buffer, ...key, name, daemon };
  let worker: Worker;
  try {
    worker = startWorker(entry, {
      ...options,
      workerData: { ...(options.workerData as object | undefined), [BOOT]: boot },
    });
  } catch (error) {
    table.release(key);
    throw error;
  }
  table.activate(key, worker.threadId);
  return { worker, key };
}
