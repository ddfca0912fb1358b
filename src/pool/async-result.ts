/**
 * `AsyncResult` — the result of work a pool runs in the background (Python's
 * `multiprocessing.pool.AsyncResult`), with the callbacks of `applyAsync` and `mapAsync`.
 * @module
 */
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError, TimeoutError } from '../errors.js';

/** The callbacks of `applyAsync` and `mapAsync`. */
export interface ResultCallbacks<R> {
  /** Called with the value once the work succeeded, before `get()` resolves. */
  callback?: ((value: R) => void) | undefined;
  /** Called with the error once the work failed, before `get()` rejects. */
  errorCallback?: ((error: unknown) => void) | undefined;
}

const PENDING = 0;
const SUCCEEDED = 1;
const FAILED = 2;

/**
 * The result of `applyAsync` or `mapAsync`: `get()` waits for the value (or throws the
 * work's error), `wait()` waits without throwing it, `ready()` and `successful()` look.
 * Awaiting an `AsyncResult` is `get()`.
 *
 * The callbacks given with the work run in the calling thread once its outcome is in, before
 * `get()` resolves, as in Python. A callback that throws is reported as a process warning
 * (`WEFT_CALLBACK_ERROR`) and changes nothing else: this result and every other one are
 * still delivered (Python's pool would lose its result handler instead).
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(fib, [30], { callback: (value) => console.log('got', value) });
 * console.log(result.ready()); // false, most likely
 * console.log(await result.get({ timeout: 5000 }));
 * ```
 */
export class AsyncResult<R> implements PromiseLike<R> {
  private state = PENDING;
  private outcome: unknown = undefined;
  // Made on first use: most results are awaited once they are in, or not at all.
  private waiters: WaiterQueue<boolean> | null = null;

  /** @internal Follows `work`; `where` names the call that made it, as `ThreadPool.applyAsync()`. */
  constructor(
    work: PromiseLike<R>,
    private readonly where: string,
    private readonly callbacks: ResultCallbacks<R>,
  ) {
    work.then(
      (value) => this.settle(SUCCEEDED, value),
      (error: unknown) => this.settle(FAILED, error),
    );
  }

  /**
   * Waits for the value and returns it; throws the work's error, or weft's `TimeoutError`
   * when `timeout` (ms) runs out first — the work goes on, and a later `get()` can still
   * have its value.
   */
  async get(opts?: WaitOptions): Promise<R> {
    if (!(await this.waitReady(opts, 'get'))) {
      throw new TimeoutError(`${this.where}: the result was not ready within ${opts?.timeout} ms`);
    }
    if (this.state === FAILED) throw this.outcome;
    return this.outcome as R;
  }

  /** Waits until the result is ready: `true`, or `false` when `timeout` (ms) ran out first. */
  wait(opts?: WaitOptions): Promise<boolean> {
    return this.waitReady(opts, 'wait');
  }

  /** Whether the work is over (succeeded or failed). */
  ready(): boolean {
    return this.state !== PENDING;
  }

  /**
   * Whether the work succeeded. Throws `RuntimeError` while it is not ready (Python raises
   * `ValueError`).
   */
  successful(): boolean {
    if (this.state === PENDING) {
      throw new RuntimeError(
        `AsyncResult.successful(): the result of ${this.where} is not ready yet; wait for it first`,
      );
    }
    return this.state === SUCCEEDED;
  }

  /** Makes the result awaitable: its value, or its error (as `get()`). */
  // biome-ignore lint/suspicious/noThenProperty: an AsyncResult is deliberately awaitable.
  then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.get().then(onfulfilled, onrejected);
  }

  private waitReady(opts: WaitOptions | undefined, method: string): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `AsyncResult.${method}`);
      if (refused) return refused;
    }
    if (this.state !== PENDING) return RESOLVED_TRUE;
    return (this.waiters ??= new WaiterQueue()).wait(opts, falseOnTimeout);
  }

  private settle(state: number, outcome: unknown): void {
    const callback = state === SUCCEEDED ? this.callbacks.callback : this.callbacks.errorCallback;
    if (callback !== undefined) {
      try {
        callback(outcome as R);
      } catch (error) {
        reportCallbackError(this.where, state === SUCCEEDED ? 'callback' : 'errorCallback', error);
      }
    }
    this.state = state;
    this.outcome = outcome;
    this.waiters?.wakeAll(true);
  }
}

/** Checks the callbacks given to `applyAsync`/`mapAsync` at the call. */
export function checkCallbacks(options: unknown, where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${where}: options must be an object like { callback, errorCallback }, got ${describe(options)}`,
    );
  }
  for (const name of ['callback', 'errorCallback'] as const) {
    const fn = (options as ResultCallbacks<unknown>)[name];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new TypeError(`${where}: ${name} must be a function, got ${describe(fn)}`);
    }
  }
}

function reportCallbackError(where: string, which: string, error: unknown): void {
  const warning = new Error(
    `the ${which} given to ${where} threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; the result itself is delivered as usual`,
    { cause: error },
  );
  warning.name = 'PoolCallbackError';
  Object.assign(warning, { code: 'WEFT_CALLBACK_ERROR' });
  process.emitWarning(warning);
}
