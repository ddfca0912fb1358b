/**
 * `Semaphore` and `BoundedSemaphore` (Python's `threading.Semaphore` / `asyncio.Semaphore`).
 * @module
 */
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { guardOf } from './guard.js';
import { newOrdinal, type OrderedLock } from './ordinal.js';

/**
 * A counter of permits. `acquire` takes one, waiting while there are none; `release(n)`
 * gives permits straight to waiters in FIFO order before adding the rest to `value`, so a
 * newcomer never takes a permit a waiter was owed.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3); // at most three downloads at once
 * async function download(url: string) {
 *   using _ = await slots.guard();
 *   return fetch(url);
 * }
 * ```
 */
export class Semaphore implements OrderedLock {
  /** Position in the global order `acquireAll` uses. */
  readonly ordinal = newOrdinal();
  protected permits: number;
  private readonly waiters = new WaiterQueue<boolean>();

  /** @param value initial number of permits, an integer >= 0 (default 1). */
  constructor(value = 1) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(
        `${new.target.name}: initial value must be an integer >= 0, got ${describe(value)}`,
      );
    }
    this.permits = value;
  }

  /** Permits available now. */
  get value(): number {
    return this.permits;
  }

  /** Takes a permit, waiting for one. Resolves `false` on timeout; rejects with the signal's reason when aborted. */
  acquire(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.constructor.name}.acquire`);
      if (refused) return refused;
    }
    if (this.permits > 0) {
      this.permits--;
      return RESOLVED_TRUE;
    }
    return this.waiters.wait(opts, falseOnTimeout);
  }

  /** Takes a permit if one is free now; never waits. */
  tryAcquire(): boolean {
    if (this.permits === 0) return false;
    this.permits--;
    return true;
  }

  /** Returns `n` permits (default 1), waking up to `n` waiters first. */
  release(n = 1): void {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(
        `${this.constructor.name}.release(n): n must be an integer >= 1, got ${describe(n)}`,
      );
    }
    this.checkRelease(n);
    this.permits += n - this.waiters.wake(n, true);
  }

  /** Acquires and returns a `Disposable` that releases once; rejects with `TimeoutError` on timeout. */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this, this.constructor.name, opts);
  }

  /** Hook for `BoundedSemaphore`: throw before anything changes when `n` is too many. */
  protected checkRelease(_n: number): void {}
}

/**
 * A semaphore that refuses to be released above its initial value — the usual sign of a
 * release without a matching acquire.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * pool.release(); // throws RuntimeError: released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** The initial value, which `value` may never exceed. */
  readonly bound: number;

  constructor(value = 1) {
    super(value);
    this.bound = value;
  }

  protected override checkRelease(n: number): void {
    if (this.permits + n > this.bound) {
      throw new RuntimeError(
        `BoundedSemaphore.release(${n}): released too many times — ${this.bound - this.permits} permit(s) are held, bound is ${this.bound}`,
      );
    }
  }
}
