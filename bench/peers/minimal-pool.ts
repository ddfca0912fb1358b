/**
 * The floors of the thread-pool benchmark: the smallest pipelined pool of worker threads,
 * in two modes. One message per task: each task goes to the next worker in turn as
 * `{ id, arg }`, without waiting for earlier answers. Burst: the tasks submitted in one
 * tick are held until a microtask, then shared out in equal parts, one message per worker,
 * `[firstId, arg, arg, ...]` — the way weft's executors send a burst. Either way each
 * worker replies `{ id, result }` per task and each task has one promise. No queue, no
 * cancellation, no error handling, no crash recovery: the least a pool can do.
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
  /** Burst mode: arguments of the tasks submitted since the last flush, ids contiguous. */
  private held: number[] = [];
  private flushScheduled = false;
  private readonly flushBound = (): void => this.flush();

  /** `size` workers; with `burst`, the tasks of one tick travel as one message per worker. */
  constructor(
    size: number,
    private readonly burst = false,
  ) {
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

  /** Runs the worker's task (`arg + 1`). */
  run(arg: number): Promise<number> {
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      this.pending.set(id, resolve);
      if (!this.burst) {
        this.workers[this.nextWorker]!.postMessage({ id, arg });
        this.nextWorker = (this.nextWorker + 1) % this.workers.length;
        return;
      }
      this.held.push(arg);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(this.flushBound);
      }
    });
  }

  /** Sends the held tasks, in equal contiguous parts, one message per worker. */
  private flush(): void {
    this.flushScheduled = false;
    const args = this.held;
    this.held = [];
    const firstId = this.nextId - args.length;
    const share = Math.ceil(args.length / this.workers.length);
    for (let start = 0; start < args.length; start += share) {
      const count = Math.min(share, args.length - start);
      const message: number[] = new Array(count + 1);
      message[0] = firstId + start;
      for (let i = 0; i < count; i++) message[i + 1] = args[start + i]!;
      this.workers[this.nextWorker]!.postMessage(message);
      this.nextWorker = (this.nextWorker + 1) % this.workers.length;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
