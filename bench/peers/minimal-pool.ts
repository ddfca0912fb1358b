/**
 * The floor of the thread-pool benchmark: the smallest pipelined pool of worker threads.
 * Tasks go round-robin to the workers as one message each, `{ id, arg }`, without waiting
 * for earlier answers; each worker replies `{ id, result }`; one promise per task. No
 * queue, no cancellation, no error handling, no crash recovery: the least a pool can do per
 * task message.
 */
import { Worker } from 'node:worker_threads';

const WORKER = new URL('./minimal-pool-worker.mjs', import.meta.url);

interface Reply {
  id: number;
  result: number;
}

export class MinimalPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, (result: number) => void>();
  private nextId = 0;
  private nextWorker = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER);
      worker.on('message', (reply: Reply) => {
        const resolve = this.pending.get(reply.id)!;
        this.pending.delete(reply.id);
        resolve(reply.result);
      });
      return worker;
    });
  }

  /** Runs the worker's task (`arg + 1`) on the next worker in turn. */
  run(arg: number): Promise<number> {
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker]!;
    this.nextWorker = (this.nextWorker + 1) % this.workers.length;
    return new Promise<number>((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, arg });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
