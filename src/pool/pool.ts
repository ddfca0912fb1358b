/**
 * `Pool` — Python's `multiprocessing.Pool`: the `Pool` API on child processes.
 * @module
 */
import { ProcessPoolExecutor } from '../executor/process/process-pool-executor.js';
import { BasePool, type PoolOptions } from './base-pool.js';

/**
 * Python's `multiprocessing.Pool`: `apply`, `applyAsync`, `map`, `mapAsync`, `imap`,
 * `imapUnordered`, `starmap`, `starmapAsync`, `close`, `terminate`, `join`, over a
 * `ProcessPoolExecutor` of `processes` child processes (default:
 * `os.availableParallelism()`). A child that dies fails only the task it ran, with
 * `WorkerCrashedError`, and is replaced — never a broken or hung pool.
 *
 * `await using pool = new Pool()` terminates the pool at the end of the block, as
 * Python's `with Pool() as pool:` does.
 *
 * @example
 * ```ts
 * const pool = new Pool(2);
 * console.log(await pool.map(square, [1, 2, 3], 2)); // [1, 4, 9]
 * pool.applyAsync(square, [7], { callback: (v) => console.log('got', v) });
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool extends BasePool {
  constructor(processes?: number, options?: PoolOptions) {
    super('Pool', processes, options, (opts) => new ProcessPoolExecutor(opts));
  }
}
