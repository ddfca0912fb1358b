/**
 * `Future` — the result of work that runs elsewhere (Python's `concurrent.futures.Future`).
 * @module
 */
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { CancelledError, RuntimeError, TimeoutError } from '../errors.js';

type FutureState = 'pending' | 'running' | 'cancelled' | 'finished';

/** @internal Told once when a future is done (asCompleted, wait and executors follow futures this way). */
export interface FutureDoneListener {
  futureDone(future: Future<unknown>): void;
}

/**
 * The eventual result of a piece of work: pending, then running, then finished with a
 * value or an error — or cancelled before it ran. Awaitable: `await future` gives the
 * value or throws the error (`CancelledError` when cancelled).
 *
 * Executors create futures; code that runs work by other means can too, and settle them
 * with `setResult` / `setException` (after `setRunningOrNotifyCancel`, as CPython's
 * executors do).
 *
 * @example
 * ```ts
 * const future = executor.submit(fib, 30);
 * future.addDoneCallback((f) => console.log('done, cancelled:', f.cancelled()));
 * console.log(await future.result({ timeout: 5000 }));
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  private state: FutureState = 'pending';
  private value: T | undefined = undefined;
  private error: unknown = undefined;
  private failed = false;
  // Made on first use: executors create futures by the hundred thousand, most never waited on this way.
  private waiters: WaiterQueue<boolean> | null = null;
  private callbacks: ((future: Future<T>) => void)[] | null = null;
  private listeners: Set<FutureDoneListener> | null = null;

  /**
   * Cancels the work if it has not started: resolves waiters with `CancelledError` and
   * returns `true` (also when it was cancelled already). Returns `false` once it runs or is done.
   */
  cancel(): boolean {
    if (this.state === 'running' || this.state === 'finished') return false;
    if (this.state === 'cancelled') return true;
    this.state = 'cancelled';
    this.complete();
    return true;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this.state === 'cancelled';
  }

  /** Whether the work is running now. */
  running(): boolean {
    return this.state === 'running';
  }

  /** Whether the future is cancelled or finished. */
  done(): boolean {
    return this.state === 'cancelled' || this.state === 'finished';
  }

  /**
   * Waits for the outcome and returns the value; throws the work's error,
   * `CancelledError` if the future was cancelled, or weft's `TimeoutError` when `timeout`
   * runs out first (the work goes on).
   */
  async result(opts?: WaitOptions): Promise<T> {
    await this.waitDone(opts, 'result');
    if (this.state === 'cancelled') throw this.cancelledError();
    if (this.failed) throw this.error;
    return this.value as T;
  }

  /**
   * Waits for the outcome and returns the work's error, or `undefined` when it succeeded.
   * Throws `CancelledError` if the future was cancelled, `TimeoutError` on timeout.
   */
  async exception(opts?: WaitOptions): Promise<unknown> {
    await this.waitDone(opts, 'exception');
    if (this.state === 'cancelled') throw this.cancelledError();
    return this.failed ? this.error : undefined;
  }

  /**
   * Calls `fn(future)` once the future is done — at once if it already is. An error
   * thrown by `fn` is reported as a process warning (`WEFT_CALLBACK_ERROR`), never lost
   * and never thrown into the code that completed the future.
   */
  addDoneCallback(fn: (future: Future<T>) => void): void {
    if (typeof fn !== 'function') {
      throw new TypeError(`Future.addDoneCallback(fn): fn must be a function, got ${describe(fn)}`);
    }
    if (this.done()) this.invoke(fn);
    else (this.callbacks ??= []).push(fn);
  }

  /** Makes the future awaitable: its value, or its error. */
  // biome-ignore lint/suspicious/noThenProperty: a Future is deliberately awaitable.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected);
  }

  /**
   * For executors: marks the work as started and returns `true`, or returns `false` when
   * the future was cancelled meanwhile (the work must then not run).
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.state === 'cancelled') return false;
    if (this.state !== 'pending') {
      throw new RuntimeError(
        `Future.setRunningOrNotifyCancel(): the future is ${this.state}, not pending`,
      );
    }
    this.state = 'running';
    return true;
  }

  /** For executors: finishes the future with `value`. */
  setResult(value: T): void {
    this.finish();
    this.value = value;
    this.complete();
  }

  /** For executors: finishes the future with `error`. */
  setException(error: unknown): void {
    this.finish();
    this.failed = true;
    this.error = error;
    this.complete();
  }

  /** @internal Whether the future finished with an error (not cancelled). */
  hasException(): boolean {
    return this.failed;
  }

  /** @internal Follows the future until it is done (at once if it is). */
  addDoneListener(listener: FutureDoneListener): void {
    if (this.done()) listener.futureDone(this as Future<unknown>);
    else (this.listeners ??= new Set()).add(listener);
  }

  /** @internal Stops following the future. */
  removeDoneListener(listener: FutureDoneListener): void {
    this.listeners?.delete(listener);
  }

  private finish(): void {
    if (this.done()) {
      throw new RuntimeError(
        `Future: cannot set the outcome of a future that is already ${this.state}`,
      );
    }
    this.state = 'finished';
  }

  private complete(): void {
    this.waiters?.wakeAll(true);
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners !== null)
      for (const listener of listeners) listener.futureDone(this as Future<unknown>);
    const callbacks = this.callbacks;
    this.callbacks = null;
    if (callbacks !== null) for (const fn of callbacks) this.invoke(fn);
  }

  private invoke(fn: (future: Future<T>) => void): void {
    try {
      fn(this);
    } catch (error) {
      const warning = new Error(
        `a done callback of a Future threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        { cause: error },
      );
      warning.name = 'FutureCallbackError';
      Object.assign(warning, { code: 'WEFT_CALLBACK_ERROR' });
      process.emitWarning(warning);
    }
  }

  private waitDone(opts: WaitOptions | undefined, method: string): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `Future.${method}`);
      if (refused) return refused;
    }
    if (this.done()) return RESOLVED_TRUE;
    return (this.waiters ??= new WaiterQueue()).wait(opts, falseOnTimeout).then((done) => {
      if (!done) throw new TimeoutError(`Future.${method}(): not done within ${opts?.timeout} ms`);
      return true;
    });
  }

  private cancelledError(): CancelledError {
    return new CancelledError('the future was cancelled before its work started');
  }
}
