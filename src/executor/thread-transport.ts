/**
 * The worker_threads transport: each worker is a `Worker` running pool-worker, started by
 * `startWorker` (so TypeScript task modules load where the program runs TypeScript) and,
 * optionally, with V8 resource limits.
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads';
import { startWorker } from '../portable/worker-start.js';
import type { Transport, WorkerEvents, WorkerLink } from './transport.js';

// The entry sits beside this module: pool-worker.ts when weft runs from its sources (under
// tsx), pool-worker.js once built.
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './pool-worker.ts' : './pool-worker.js',
  import.meta.url,
);

/** Starts pool workers as threads. */
export class ThreadTransport implements Transport {
  readonly kind = 'thread';

  constructor(private readonly resourceLimits: ResourceLimits | undefined) {}

  spawn(events: WorkerEvents): WorkerLink {
    const started = new Int32Array(new SharedArrayBuffer(4));
    const worker = startWorker(ENTRY, {
      workerData: { started },
      ...(this.resourceLimits !== undefined && { resourceLimits: this.resourceLimits }),
    });
    let cause: unknown;
    worker.on('message', (message: unknown) => events.onMessage(message));
    worker.on('messageerror', (error: unknown) => events.onMessageError(error));
    worker.on('error', (error: unknown) => {
      cause = error;
    });
    worker.on('exit', (exitCode: number) => events.onExit(exitCode, cause));
    return {
      send: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => {
        void worker.terminate();
      },
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      started: () => Atomics.load(started, 0),
    };
  }
}
