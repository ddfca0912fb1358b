/**
 * `Lock` — a mutual-exclusion lock for tasks on one event loop (Python's
 * `threading.Lock` / `asyncio.Lock`).
 * @module
 */
import { refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import {
  ACQUIRE_RESTORE,
  type ConditionLock,
  IS_OWNED,
  RELEASE_SAVE,
} from './condition-protocol.js';
import { guardOf } from './guard.js';
import { newOrdinal, type OrderedLock } from './ordinal.js';

/**
 * A mutual-exclusion lock. Waiters are served strictly in FIFO order: `release()` hands
 * the lock straight to the longest waiter, so a newcomer can never barge in ahead of it.
 * Like Python's `Lock` (and unlike `RLock`) it has no owner: any code may release it.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * {
 *   using _ = await lock.guard();
 *   // ... critical section ...
 * } // released here
 * if (await lock.acquire({ timeout: 100 })) {
 *   try { ... } finally { lock.release(); }
 * }
 * ```
 */
export class Lock implements OrderedLock, ConditionLock {
  /** Position in the global order `acquireAll` uses. */
  readonly ordinal = newOrdinal();
  private isLocked = false;
  private readonly waiters = new WaiterQueue<boolean>();

  /**
   * Waits for the lock and takes it. Resolves `true` once held, `false` when `timeout`
   * ran out; rejects with the signal's reason when aborted, leaving no trace.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'Lock.acquire');
      if (refused) return refused;
    }
    if (!this.isLocked) {
      this.isLocked = true;
      return RESOLVED_TRUE;
    }
    return this.waiters.wait(opts, falseOnTimeout);
  }

  /** Takes the lock if it is free and nobody waits for it; never waits. */
  tryAcquire(): boolean {
    if (this.isLocked) return false;
    this.isLocked = true;
    return true;
  }

  /** Releases the lock, handing it to the longest waiter if any. Throws if it is not locked. */
  release(): void {
    if (!this.isLocked) {
      throw new RuntimeError(
        'Lock.release(): the lock is not locked; release only after a successful acquire',
      );
    }
    if (this.waiters.length === 0 || !this.waiters.wakeFirst(true)) this.isLocked = false;
  }

  /** Whether the lock is held by someone. */
  locked(): boolean {
    return this.isLocked;
  }

  /**
   * Acquires and returns a `Disposable` that releases: `using _ = await lock.guard()`.
   * Rejects with `TimeoutError` when `timeout` runs out.
   */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this, 'Lock', opts);
  }

  [IS_OWNED](): boolean {
    return this.isLocked;
  }

  [RELEASE_SAVE](): undefined {
    this.release();
  }

  async [ACQUIRE_RESTORE](): Promise<void> {
    if (!this.isLocked) this.isLocked = true;
    else await this.waiters.waitIgnoringTask();
  }
}
