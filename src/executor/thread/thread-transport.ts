/**
 * The worker_threads transport: each worker is a `Worker` running pool-worker, started by
 * `startWorker` (so TypeScript task modules load where the program runs TypeScript) and,
 * optionally, with V8 resource limits.
 *
 * Every worker is a thread of the process as `threading` sees it: it takes a daemon entry
 * in the shared thread table (named `<prefix>_<n>`, as Python names its pool threads) for
 * as long as it lives, so `currentThread()` inside a task is the worker, and
 * `enumerate()` from any thread lists it. The entry is made here, by the thread that
 * starts the worker (as for a `Thread`), so the worker runtime knows nothing of it.
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads';
import { type HoldMessage, threadMessageKind } from '../../thread/protocol.js';
import { threadTable } from '../../thread/registry.js';
import { startThreadWorker } from '../../thread/thread-start.js';
import type { Transport, WorkerEvents, WorkerLink } from '../transport.js';

// The entry sits beside this module: pool-worker.ts when weft runs from its sources (under
// tsx), pool-worker.js once built.
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './pool-thread.ts' : './pool-thread.js',
  import.meta.url,
);

/** Starts pool workers as threads. */
export class ThreadTransport implements Transport {
  readonly kind = 'thread';
  readonly batchedReplies = false;
  /** The workers are named `<namePrefix>_0`, `<namePrefix>_1`, ... (set by the executor). */
  namePrefix = 'ThreadPoolExecutor';
  /** Workers started so far: the `n` of the next one's name. */
  private started = 0;

  constructor(private readonly resourceLimits: ResourceLimits | undefined) {}

  spawn(events: WorkerEvents): WorkerLink {
    const startedTasks = new Int32Array(new SharedArrayBuffer(4));
    const { worker, key } = startThreadWorker(ENTRY, `${this.namePrefix}_${this.started}`, true, {
      workerData: { started: startedTasks },
      ...(this.resourceLimits !== undefined && { resourceLimits: this.resourceLimits }),
    });
    this.started++;
    let cause: unknown;
    // The pool refs a worker while it has tasks; a non-daemon thread started by a task keeps
    // it (and so the process) alive too, as it keeps a Python process alive.
    let busy = true;
    let holding = false;
    worker.on('message', (message: unknown) => {
      // Replies are arrays; the thread layer's own messages are tagged objects.
      if (!Array.isArray(message) && threadMessageKind(message) === 'hold') {
        holding = (message as HoldMessage).on;
        if (holding || busy) worker.ref();
        else worker.unref();
        return;
      }
      events.onMessage(message);
    });
    worker.on('messageerror', (error: unknown) => events.onMessageError(error));
    worker.on('error', (error: unknown) => {
      cause = error;
    });
    worker.on('exit', (exitCode: number) => {
      // Out of the table before the pool hears of it: once a task fails with the crash, or
      // shutdown() resolves, enumerate() no longer lists the worker.
      threadTable().release(key);
      events.onExit(exitCode, cause);
    });
    return {
      id: worker.threadId,
      send: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => {
        threadTable()
          .stopOutsideSections(key)
          .then(() => worker.terminate())
          .catch(() => {});
      },
      ref: () => {
        busy = true;
        worker.ref();
      },
      unref: () => {
        busy = false;
        if (!holding) worker.unref();
      },
      started: () => Atomics.load(startedTasks, 0),
    };
  }
}
