/**
 * `warmStart()`: spare threads and processes booted ahead, so that starting one is near
 * instant (Python's forkserver start method, for threads too).
 * @module
 */
import { describe, refuseUnknownOptions, refuseWait, type WaitOptions } from './core/options.js';
import { refuseWhileImporting } from './portable/bootstrap-guard.js';
import { spareProcesses } from './process/spare-processes.js';
import { spareThreads } from './thread/spare-threads.js';

/** Options of `warmStart(options)`: how many spares of each kind to keep booted. */
export interface WarmStartOptions {
  /** Spare threads (default 1 when no options are given, else 0). */
  threads?: number;
  /** Spare processes (default 1 when no options are given, else 0). */
  processes?: number;
}

/** What `warmStart()` returns: stops keeping its spares. */
export interface WarmStart {
  /**
   * Resolves `true` once every spare kept in this thread has booted (replacing those handed
   * out first): the next start then takes a spare that waits for it. `false` on timeout;
   * rejects with the signal's reason when aborted.
   */
  ready(opts?: WaitOptions): Promise<boolean>;
  /** Ends the idle spares this call keeps (once); resolves when they have ended. */
  stop(): Promise<void>;
  /** `await using` calls `stop()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Keeps spare threads and processes booted — a worker with weft's part loaded, waiting for
 * its target — and hands one to each `Thread` or `Process` started in this thread whose
 * options allow it, starting a replacement in the background. A thread started with
 * `resourceLimits`, a process with `env` or `execArgv`, or any start after the environment
 * or the working directory changed, starts cold as without `warmStart()`. Identity is the
 * started one's own: `name`, `ident`, `currentThread()` in the thread; `pid`, `name`,
 * `currentProcess()` and `parentProcess()` in the process.
 *
 * Idle spares never keep the program alive and never outlive it (a spare process watches
 * its parent as every weft child does). Calls add up: `stop()` takes away what its own
 * call added. Refused (RuntimeError) at the top level of a module a worker imports to find
 * its target, as starting a thread is (put it under the main-module guard).
 *
 * @example
 * ```ts
 * const warm = warmStart({ threads: 1, processes: 1 });
 * await warm.ready(); // optional: the spares have booted
 * const thread = new Thread(fib, { args: [20] });
 * thread.start(); // takes the spare thread; a new spare boots in the background
 * await thread.join();
 * await warm.stop();
 * ```
 */
export function warmStart(options?: WarmStartOptions): WarmStart {
  const where = 'warmStart(options)';
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  if (options !== undefined) refuseUnknownOptions(options, ['threads', 'processes'], where);
  const threads = count(options === undefined ? 1 : options.threads, 'threads');
  const processes = count(options === undefined ? 1 : options.processes, 'processes');
  refuseWhileImporting('warmStart()');
  void spareThreads.keep(threads);
  void spareProcesses.keep(processes);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= Promise.all([spareThreads.keep(-threads), spareProcesses.keep(-processes)]).then(
      () => undefined,
    ));
  const ready = (opts?: WaitOptions): Promise<boolean> => {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'WarmStart.ready');
      if (refused) return refused;
    }
    return Promise.all([spareThreads.ready(opts), spareProcesses.ready(opts)]).then(
      ([threads, processes]) => threads && processes,
    );
  };
  return { ready, stop, [Symbol.asyncDispose]: stop };
}

function count(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(
      `warmStart({ ${name} }): ${name} must be a whole number of spares, got ${describe(value)}`,
    );
  }
  if (value < 0) {
    throw new RangeError(`warmStart({ ${name} }): ${name} must not be negative, got ${value}`);
  }
  return value;
}
