/**
 * `sleep` and `withTimeout` — waiting for time on the waiter core, so that both observe
 * an `AbortSignal` and the calling task's kill like every other weft wait (gevent's
 * `sleep` and `Timeout`, asyncio's `sleep` and `timeout`).
 * @module
 */
import { describe, invalidTimeout } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { Waiter } from '../core/waiter.js';
import { TimeoutError } from '../errors.js';

/** Options of `sleep`. */
export interface SleepOptions {
  /** Wake up early: the sleep rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Resolves after `ms` milliseconds. `sleep(0)` yields: it resolves on a later turn of the
 * event loop, after pending I/O and timers. Rejects with the signal's reason when
 * `signal` aborts, and inside a task with the kill reason when the task is killed; either
 * way the timer is cleared at once. A negative `ms` rejects with a RangeError.
 *
 * @example
 * ```ts
 * await sleep(100);
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error('enough')), 10);
 * await sleep(60_000, { signal: controller.signal }).catch((e) => console.log(e.message)); // enough
 * ```
 */
export function sleep(ms: number, opts?: SleepOptions): Promise<void> {
  const invalid = invalidTimeout(ms, 'sleep(ms)') ?? invalidSignal(opts, 'sleep');
  if (invalid) return Promise.reject(invalid);
  const waiter = new Waiter<void>();
  if (ms > 0) return waiter.park(null, { timeout: ms, signal: opts?.signal }, wakeUp);
  // sleep(0) waits for the next turn (a wait refused at once is already settled; the wake-up then does nothing).
  const promise = waiter.park(null, { signal: opts?.signal }, wakeUp);
  setImmediate(yieldDone, waiter);
  return promise;
}

function wakeUp(): void {}

function yieldDone(waiter: Waiter<void>): void {
  waiter.resolve(undefined);
}

function invalidSignal(opts: SleepOptions | undefined, where: string): Error | undefined {
  if (opts === undefined) return undefined;
  if (opts === null || typeof opts !== 'object')
    return new TypeError(
      `${where}: options must be an object like { signal }, got ${describe(opts)}`,
    );
  const signal = opts.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    return new TypeError(
      `${where}: options.signal must be an AbortSignal, got ${describe(signal)}`,
    );
  return undefined;
}

/**
 * Gives `work` at most `ms` milliseconds (gevent's `Timeout`, asyncio's `timeout`):
 * resolves or rejects as `work` does, or rejects with a weft `TimeoutError` when the time
 * runs out first. `work` is a promise, or a function that is called at once with an
 * `AbortSignal` which aborts (with that `TimeoutError`) when the time runs out, or when
 * the calling task is killed — pass it on (to `fetch`, to weft waits) so the work really
 * stops. Nothing is left behind: the timer is cleared as soon as `work` settles.
 * `Infinity` means no limit; a negative `ms` rejects with a RangeError.
 *
 * @example
 * ```ts
 * const page = await withTimeout(5000, (signal) => fetch(url, { signal }));
 * const item = await withTimeout(100, queue.get()); // a TimeoutError after 100 ms
 * ```
 */
export function withTimeout<T>(
  ms: number,
  work: PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
): Promise<Awaited<T>> {
  const invalid = invalidTimeout(ms, 'withTimeout(ms)');
  if (invalid) return Promise.reject(invalid);
  const isFunction = typeof work === 'function';
  if (!isFunction && typeof (work as PromiseLike<T> | null)?.then !== 'function') {
    return Promise.reject(
      new TypeError(
        `withTimeout(ms, work): work must be a promise or a function taking an AbortSignal, got ${describe(work)}`,
      ),
    );
  }
  const taskSignal = currentIdentity()?.signal;
  if (taskSignal?.aborted) return Promise.reject(taskSignal.reason);
  const waiter = new DeadlineWaiter<Awaited<T>>(ms, isFunction ? new AbortController() : undefined);
  // A timeout of 0 still gives work that is already done its chance: it expires on the next timer tick.
  const promise = waiter.park(null, { timeout: ms === 0 ? Number.MIN_VALUE : ms }, timedOut);
  let pending: PromiseLike<T>;
  if (isFunction) {
    try {
      const result = (work as (signal: AbortSignal) => T | PromiseLike<T>)(
        waiter.controller!.signal,
      );
      pending = Promise.resolve(result);
    } catch (error) {
      waiter.reject(error);
      return promise;
    }
  } else pending = work as PromiseLike<T>;
  // Settling after the deadline changes nothing, and a late rejection is handled here.
  pending.then(
    (value) => waiter.resolve(value as Awaited<T>),
    (error: unknown) => waiter.reject(error),
  );
  return promise;
}

function timedOut<T>(waiter: Waiter<T>): T {
  throw (waiter as DeadlineWaiter<T>).expire();
}

/** `withTimeout`'s wait: on the deadline or a kill, it also aborts the work's signal. */
class DeadlineWaiter<T> extends Waiter<T> {
  constructor(
    private readonly ms: number,
    readonly controller: AbortController | undefined,
  ) {
    super();
  }

  expire(): TimeoutError {
    const error = new TimeoutError(`the operation did not finish within ${this.ms} ms`);
    this.controller?.abort(error);
    return error;
  }

  override interrupt(reason: unknown): void {
    super.interrupt(reason);
    this.controller?.abort(reason);
  }
}
