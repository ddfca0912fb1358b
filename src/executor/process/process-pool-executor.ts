/**
 * `ProcessPoolExecutor` — Python's `concurrent.futures.ProcessPoolExecutor` on forked Node
 * processes: the same executor as the thread pool (futures, `map` with chunks, shutdown,
 * crash isolation), over a child-process transport.
 * @module
 */
import { Executor, type ExecutorOptions } from '../executor.js';
import { ProcessTransport } from './process-transport.js';

/** Options of `ProcessPoolExecutor`. */
export interface ProcessPoolExecutorOptions extends ExecutorOptions {
  /** Python's name for `maxTasksPerWorker`: a child is replaced after this many tasks. */
  maxTasksPerChild?: number | undefined;
}

/**
 * A pool of child processes running portable functions: `submit(fn, ...args)` returns a
 * `Future`, `map(fn, items, { chunksize })` yields results in order (a chunk travels as
 * one message), `shutdown()` (or `await using`) ends it. Arguments and results cross by
 * V8 serialization; weft primitives among them arrive as handles.
 *
 * A child that dies (an exit, a crash, a signal, out of memory) fails only the task it was
 * running, with `WorkerCrashedError` (its `exitCode` is minus the signal number after a
 * signal, and `signal` names it); the pool replaces it and finishes everything else — never a broken pool. Idle
 * children never keep the parent alive, and every child exits when the parent dies.
 *
 * @example
 * ```ts
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * console.log(await pool.submit(fib, 30));
 * for await (const value of pool.map(fib, [20, 21, 22], { chunksize: 2 })) console.log(value);
 * ```
 */
export class ProcessPoolExecutor extends Executor {
  constructor(options?: ProcessPoolExecutorOptions) {
    const { maxTasksPerChild, ...rest } = options ?? {};
    if (
      maxTasksPerChild !== undefined &&
      rest.maxTasksPerWorker !== undefined &&
      maxTasksPerChild !== rest.maxTasksPerWorker
    ) {
      throw new TypeError(
        'new ProcessPoolExecutor(): give maxTasksPerChild or maxTasksPerWorker (the same option), not both',
      );
    }
    super(
      new ProcessTransport(),
      options === undefined
        ? undefined
        : { ...rest, maxTasksPerWorker: maxTasksPerChild ?? rest.maxTasksPerWorker },
      'ProcessPoolExecutor',
    );
  }
}
