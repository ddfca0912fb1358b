/**
 * `ThreadPoolExecutor` — Python's `concurrent.futures.ThreadPoolExecutor` on worker threads:
 * real parallelism, pipelined so that tiny tasks travel in batches.
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads';
import { describe } from '../../core/options.js';
import { threadTable } from '../../thread/registry.js';
import { Executor, type ExecutorOptions } from '../executor.js';
import { ThreadTransport } from './thread-transport.js';

/** Options of `ThreadPoolExecutor`. */
export interface ThreadPoolExecutorOptions extends ExecutorOptions {
  /** V8 limits of every worker thread (`worker_threads` `resourceLimits`); a worker that exceeds them dies and is replaced. */
  resourceLimits?: ResourceLimits | undefined;
  /**
   * The workers' thread names are `<threadNamePrefix>_0`, `<threadNamePrefix>_1`, ...
   * (Python's `thread_name_prefix`); default `ThreadPoolExecutor-<N>`, N counting the
   * pools of the whole process from 0.
   */
  threadNamePrefix?: string | undefined;
}

/**
 * A pool of worker threads running portable functions: `submit(fn, ...args)` returns a
 * `Future`, `map(fn, items)` yields results in order, `shutdown()` (or `await using`) ends it.
 *
 * A worker that dies (an uncaught error, `process.exit()`, out of memory) fails only the
 * task it was running, with `WorkerCrashedError`; the pool replaces it. Idle workers never
 * keep the process alive.
 *
 * Each worker is a daemon thread named `ThreadPoolExecutor-<N>_<n>` (or
 * `<threadNamePrefix>_<n>`): `currentThread()` in a task is that worker, and
 * `enumerate()` lists the live workers from any thread. Each call of a task function runs
 * as its own weft task, so `currentTask()`, `RLock` and `TaskLocal` work inside it.
 *
 * @example
 * ```ts
 * // tasks.ts
 * export const fib = portable(import.meta.url, function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * });
 * // main.ts
 * await using executor = new ThreadPoolExecutor({ maxWorkers: 4 });
 * console.log(await executor.submit(fib, 30));
 * for await (const value of executor.map(fib, [20, 21, 22])) console.log(value);
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  constructor(options?: ThreadPoolExecutorOptions) {
    const resourceLimits = options?.resourceLimits;
    if (
      resourceLimits !== undefined &&
      (resourceLimits === null || typeof resourceLimits !== 'object')
    ) {
      throw new TypeError(
        `new ThreadPoolExecutor(): resourceLimits must be an object, got ${describe(resourceLimits)}`,
      );
    }
    const prefix = options?.threadNamePrefix;
    if (prefix !== undefined && typeof prefix !== 'string') {
      throw new TypeError(
        `new ThreadPoolExecutor(): threadNamePrefix must be a string, got ${describe(prefix)}`,
      );
    }
    const transport = new ThreadTransport(resourceLimits);
    super(transport, options, 'ThreadPoolExecutor', ['resourceLimits', 'threadNamePrefix']);
    // As in Python: an empty prefix means the default one, and a pool takes a number only
    // when it needs the default and its options were valid.
    transport.namePrefix = prefix || `ThreadPoolExecutor-${threadTable().nextPoolNumber()}`;
  }
}
