/**
 * `Lock` — a mutual-exclusion lock for tasks on one event loop (Python's
 * `threading.Lock` / `asyncio.Lock`).
 * @module
 */
import { refuseWait, type WaitOptions } from '../core/options.js';
import type { TaskIdentity } from '../core/task-identity.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import {
  ACQUIRE_RESTORE,
  type ConditionLock,
  IS_OWNED,
  RELEASE_SAVE,
} from './condition-protocol.js';
import { guardOf } from './guard.js';
import {
  ABANDON,
  ACQUIRE_FOR,
  type HeldLock,
  HOLDER,
  LOAN,
  type LoanHook,
  RELEASE_UNSEEN,
  WAITING,
} from './holder-protocol.js';
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
export class Lock implements OrderedLock, ConditionLock, HeldLock {
  /** Position in the global order `acquireAll` uses. */
  readonly ordinal = newOrdinal();
  private isLocked = false;
  /** Who holds it, when a handle took it (see holder-protocol.ts); `undefined` otherwise. */
  private holder: TaskIdentity | undefined = undefined;
  private wasAbandoned = false;
  private readonly waiters = new WaiterQueue<boolean>();

  /**
   * Waits for the lock and takes it. Resolves `true` once held, `false` when `timeout`
   * ran out; rejects with the signal's reason when aborted, leaving no trace.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    return this[ACQUIRE_FOR](undefined, opts);
  }

  /**
   * Whether the lock was taken away from a holder that died holding it (a thread or
   * process killed while it held the lock through a handle): the data it guards may be
   * half-written. Set when the dead holder's hold is given back, it stays set for whoever
   * takes the lock next, and the next `release()` clears it. Check it after acquiring,
   * repair what the lock guards, then release as usual.
   *
   * @example
   * ```ts
   * const lock = new Lock();
   * const account = { balance: 0, pending: 0 };
   * {
   *   using _ = await lock.guard();
   *   if (lock.abandoned) account.pending = 0; // the last holder died mid-update: repair
   *   account.balance += 1;
   * } // released: abandoned is false again
   * ```
   */
  get abandoned(): boolean {
    return this.wasAbandoned;
  }

  /** Takes the lock if it is free and nobody waits for it; never waits. */
  tryAcquire(): boolean {
    if (this.isLocked) {
      this[LOAN]?.recall();
      return false;
    }
    this.isLocked = true;
    return true;
  }

  /**
   * Releases the lock, handing it to the longest waiter if any, and clears `abandoned`.
   * Throws if it is not locked.
   */
  release(): void {
    if (!this.isLocked) {
      throw new RuntimeError(
        'Lock.release(): the lock is not locked; release only after a successful acquire',
      );
    }
    this.handOff();
  }

  /**
   * Whether the lock is held by someone. A lock lent to a thread that uses it through a
   * handle (see `LockHandle.acquire`) counts as held while a task there holds it, as of
   * that thread's last word.
   */
  locked(): boolean {
    return this.isLocked && (this[LOAN]?.held ?? true);
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

  [RELEASE_SAVE](): TaskIdentity | undefined {
    const holder = this.holder;
    this.release();
    return holder;
  }

  async [ACQUIRE_RESTORE](holder: unknown): Promise<void> {
    if (!this.isLocked) {
      this.isLocked = true;
      this.holder = holder as TaskIdentity | undefined;
      return;
    }
    this[LOAN]?.recall();
    await this.waiters.waitIgnoringTask(holder);
  }

  /** The loan of this lock to a handle's thread, while lent (see sync/lock-loan.ts). */
  [LOAN]: LoanHook | undefined = undefined;

  get [WAITING](): number {
    return this.waiters.length;
  }

  get [HOLDER](): TaskIdentity | undefined {
    return this.holder;
  }

  [ACQUIRE_FOR](holder: TaskIdentity | undefined, opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'Lock.acquire');
      if (refused) return refused;
    }
    if (!this.isLocked) {
      this.isLocked = true;
      this.holder = holder;
      return RESOLVED_TRUE;
    }
    // Lent to a handle's thread: it gives the lock back as soon as it is free there.
    this[LOAN]?.recall();
    return this.waiters.wait(opts, falseOnTimeout, holder);
  }

  [RELEASE_UNSEEN](): void {
    const abandoned = this.wasAbandoned;
    this.release();
    if (abandoned) this.wasAbandoned = true;
  }

  [ABANDON](): void {
    if (!this.isLocked) return;
    this.handOff();
    this.wasAbandoned = true;
  }

  /** Hands the lock to the longest waiter still waiting (recording who it is), or frees it. */
  private handOff(): void {
    this.wasAbandoned = false;
    const waiters = this.waiters;
    if (waiters.length > 0) {
      for (let waiter = waiters.shift(); waiter !== null; waiter = waiters.shift()) {
        if (waiter.resolve(true)) {
          this.holder = waiter.data as TaskIdentity | undefined;
          return;
        }
      }
    }
    this.isLocked = false;
    this.holder = undefined;
  }
}
