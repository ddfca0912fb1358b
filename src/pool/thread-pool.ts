/**
 * `ThreadPool` — Python's `multiprocessing.pool.ThreadPool`: the `Pool` API on worker threads.
 * @module
 */
import { ThreadPoolExecutor } from '../executor/thread/thread-pool-executor.js';
import { BasePool, type PoolOptions } from './base-pool.js';

/**
 * Python's `multiprocessing.pool.ThreadPool`: `apply`, `applyAsync`, `map`, `mapAsync`,
 * `imap`, `imapUnordered`, `starmap`, `starmapAsync`, `close`, `terminate`, `join`, over a
 * `ThreadPoolExecutor` of `processes` worker threads (default: `os.availableParallelism()`).
 * The work is a portable function (or `{ module, name }`), as for the executor. A worker that
 * dies fails only the task it ran, with `WorkerCrashedError`, and is replaced.
 *
 * `await using pool = new ThreadPool()` terminates the pool at the end of the block, as
 * Python's `with ThreadPool() as pool:` does.
 *
 * @example
 * ```ts
 * // tasks.ts
 * export const square = portable(import.meta.url, (x: number) => x * x);
 * // main.ts
 * const pool = new ThreadPool(4);
 * console.log(await pool.map(square, [1, 2, 3])); // [1, 4, 9]
 * const result = pool.applyAsync(square, [7], { callback: (v) => console.log('done', v) });
 * console.log(await result.get({ timeout: 1000 })); // 49
 * pool.close();
 * await pool.join();
 * ```
 */
export class ThreadPool extends BasePool {
  constructor(processes?: number, options?: PoolOptions) {
    super('ThreadPool', processes, options, (opts) => new ThreadPoolExecutor(opts));
  }
}
