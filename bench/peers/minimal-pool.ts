/**
 * The floors of the thread- and process-pool benchmarks: the smallest pipelined pool of
 * worker threads or child processes, in two modes. One message per task: each task goes to
 * the next worker in turn as `{ id, arg }`, without waiting for earlier answers. Burst: the
 * tasks submitted in one tick are held until a microtask, then shared out in equal parts,
 * one message per worker, `[firstId, arg, arg, ...]` — the way weft's executors send a
 * burst. Either way each worker replies `{ id, result }` per task and each task has one
 * promise. No queue, no cancellation, no error handling, no crash recovery: the least a
 * pool can do.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const WORKER = new URL('./minimal-pool-worker.mjs', import.meta.url);

interface Reply {
  id: number;
  result: number;
}

/** A worker thread or child process, as the pool uses it. */
interface Link {
  send(message: unknown): void;
  close(): Promise<void>;
}

/** A worker thread; messages by structured clone. */
function threadLink(onReply: (reply: Reply) => void): Link {
  const worker = new Worker(WORKER);
  worker.on('message', onReply);
  return {
    send: (message) => worker.postMessage(message),
    close: async () => {
      await worker.terminate();
    },
  };
}

/** A child process; messages over IPC by V8 serialization, as weft's process pool sends them. */
function processLink(onReply: (reply: Reply) => void): Link {
  const child: ChildProcess = fork(fileURLToPath(WORKER), [], { serialization: 'advanced' });
  child.on('message', onReply);
  return {
    send: (message) => child.send(message as object),
    close: async () => {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

export class MinimalPool {
  private readonly links: Link[];
  private readonly pending = new Map<number, (result: number) => void>();
  private nextId = 0;
  private nextLink = 0;
  /** Burst mode: arguments of the tasks submitted since the last flush, ids contiguous. */
  private held: number[] = [];
  private flushScheduled = false;
  private readonly flushBound = (): void => this.flush();

  /**
   * `size` worker threads, or child processes with `kind: 'process'`; with `burst`, the
   * tasks of one tick travel as one message per worker.
   */
  constructor(
    size: number,
    private readonly burst = false,
    kind: 'thread' | 'process' = 'thread',
  ) {
    const onReply = (reply: Reply): void => {
      const resolve = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      resolve(reply.result);
    };
    const open = kind === 'thread' ? threadLink : processLink;
    this.links = Array.from({ length: size }, () => open(onReply));
  }

  /** Runs the worker's task (`arg + 1`). */
  run(arg: number): Promise<number> {
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      this.pending.set(id, resolve);
      if (!this.burst) {
        this.links[this.nextLink]!.send({ id, arg });
        this.nextLink = (this.nextLink + 1) % this.links.length;
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
    const share = Math.ceil(args.length / this.links.length);
    for (let start = 0; start < args.length; start += share) {
      const count = Math.min(share, args.length - start);
      const message: number[] = new Array(count + 1);
      message[0] = firstId + start;
      for (let i = 0; i < count; i++) message[i + 1] = args[start + i]!;
      this.links[this.nextLink]!.send(message);
      this.nextLink = (this.nextLink + 1) % this.links.length;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((link) => link.close()));
  }
}
