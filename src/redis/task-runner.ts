/**
 * Where a `RedisWorker` runs its tasks (`mode`): as green tasks of its own thread
 * (`'tasks'`, the default: for I/O-bound work), or in weft's local pools — a
 * `ThreadPoolExecutor` (`'threads'`) or a `ProcessPoolExecutor` (`'processes'`) as large as
 * the worker's concurrency, for CPU-bound work. A timeout or an abort stops a task: the
 * pools stop and replace its thread or process; a green task is killed (its `signal`
 * aborts, and weft's waits in it end), and the worker stops waiting for it at once.
 * @module
 */
import { TimeoutError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import { spawn } from '../task/spawn.js';

/** The modes of a worker. */
export const WORKER_MODES = ['tasks', 'threads', 'processes'] as const;
/** Where a worker runs its tasks. */
export type WorkerMode = (typeof WORKER_MODES)[number];

/** One run of a task. */
export interface TaskRun {
  /** The function, found in its module here. */
  readonly fn: (...args: unknown[]) => unknown;
  /** The same, as the pools find it again: the module's URL and the export name. */
  readonly module: string;
  readonly name: string;
  readonly args: unknown[];
  /** Ms the run may take (`Infinity`: no limit). */
  readonly timeout: number;
}

/** How a run is stopped (a cancel, or the worker's close): the runner sets `stop` while it runs the task. */
export interface RunControl {
  stop: ((reason: unknown) => void) | undefined;
}

/** @internal Runs tasks in one mode. */
export interface TaskRunner {
  /** Runs `task`; `control.stop(reason)` stops it, and the promise rejects with `reason`. */
  run(task: TaskRun, control: RunControl): Promise<unknown>;
  close(): Promise<void>;
}

/** The runner of `mode`, for `concurrency` tasks at once. */
export async function taskRunner(mode: WorkerMode, concurrency: number): Promise<TaskRunner> {
  if (mode === 'tasks') return new GreenTaskRunner();
  const pool: Executor =
    mode === 'threads'
      ? new (await import('../executor/thread/thread-pool-executor.js')).ThreadPoolExecutor({
          maxWorkers: concurrency,
        })
      : new (await import('../executor/process/process-pool-executor.js')).ProcessPoolExecutor({
          maxWorkers: concurrency,
        });
  return new PoolRunner(pool);
}

class GreenTaskRunner implements TaskRunner {
  run({ fn, args, timeout }: TaskRun, control: RunControl): Promise<unknown> {
    const task = spawn(fn, ...args);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        control.stop = undefined;
      };
      control.stop = (reason: unknown) => {
        done();
        task.kill(reason).catch(() => undefined);
        reject(reason);
      };
      if (timeout !== Number.POSITIVE_INFINITY) {
        timer = setTimeout(
          () =>
            control.stop?.(
              new TimeoutError(`the task ran longer than its timeout of ${timeout} ms`),
            ),
          timeout,
        );
      }
      task.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  async close(): Promise<void> {}
}

class PoolRunner implements TaskRunner {
  constructor(private readonly pool: Executor) {}

  async run({ module, name, args, timeout }: TaskRun, control: RunControl): Promise<unknown> {
    const controller = new AbortController();
    control.stop = (reason) => controller.abort(reason);
    const signal = controller.signal;
    const options = timeout === Number.POSITIVE_INFINITY ? { signal } : { signal, timeout };
    try {
      return await this.pool.submitWith(options, { module, name }, ...args).result();
    } finally {
      control.stop = undefined;
    }
  }

  close(): Promise<void> {
    return this.pool.shutdown({ cancelFutures: true });
  }
}
