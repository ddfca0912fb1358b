/**
 * Starting a worker that is a thread of the process from its first instant: the starting
 * thread claims its entry in the shared thread table before the worker runs (so it is
 * listed, and knows its own name, before any of its code runs), gives the entry the
 * worker's ident, and frees it again if the worker cannot start. `Thread` and the thread
 * pool's workers start this way; whoever starts one frees its entry when it exits. A spare
 * worker, booted ahead for warm start (spare-threads.ts), gets its entry when handed over.
 * @module
 */
import { threadId, type Worker, type WorkerOptions } from 'node:worker_threads';
import { startWorker } from '../portable/worker-start.js';
import { BOOT, type ThreadBoot } from './protocol.js';
import { threadTable } from './registry.js';
import type { TableKey } from './thread-table.js';

/** The entry of a `Thread`'s worker: .ts when weft runs from its sources (under tsx), .js from dist/. */
export const THREAD_ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './thread-entry.ts' : './thread-entry.js',
  import.meta.url,
);

/** A started worker and its place in the thread table (free it with `threadTable().release(key)`). */
export interface StartedWorker {
  readonly worker: Worker;
  readonly key: TableKey;
  /** The worker's boot record (a spare, booted without one, gets it in its run message). */
  readonly boot: ThreadBoot;
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
  return { worker, key, boot };
}

/** A spare `worker` (already running its entry) becomes the thread `name` of the calling thread. */
export function adoptThreadWorker(worker: Worker, name: string, daemon: boolean): StartedWorker {
  const table = threadTable();
  const key = table.claim(threadId, daemon, name);
  table.activate(key, worker.threadId);
  return { worker, key, boot: { table: table.buffer, ...key, name, daemon } };
}
