/**
 * `RLock` — a reentrant lock owned by a task (Python's `threading.RLock`).
 * @module
 */
import { refuseWait, type WaitOptions } from '../core/options.js';
import { currentIdentity, requireIdentity, type TaskIdentity } from '../core/task-identity.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import {
  ACQUIRE_RESTORE,
  type ConditionLock,
  IS_OWNED,
  RELEASE_SAVE,
} from './condition-protocol.js';
import { guardOf } from './guard.js';
import { ABANDON, ACQUIRE_FOR, type HeldLock, HOLDER, RELEASE_UNSEEN } from './holder-protocol.js';
import { newOrdinal, type OrderedLock } from './ordinal.js';

/**
 * A reentrant lock: the task that holds it may acquire it again, and must release it as
 * many times. Ownership follows the task (its async call chain), so it must be used from
 * inside a task: `spawn(fn)` gives each concurrent caller its own identity. Called
 * outside any task, `acquire` throws `NoTaskError` rather than let two concurrent async
 * functions both believe they own it.
 *
 * @example
 * ```ts
 * const rlock = new RLock();
 * await spawn(async () => {
 *   using _outer = await rlock.guard();
 *   using _inner = await rlock.guard(); // same task: does not wait
 * });
 * ```
 */
export class RLock implements OrderedLock, ConditionLock, HeldLock {
  /** Position in the global order `acquireAll` uses. */
  readonly ordinal = newOrdinal();
  private owner: TaskIdentity | null = null;
  private count = 0;
  private wasAbandoned = false;
  private readonly waiters = new WaiterQueue<boolean>();

  /**
   * Takes the lock, or deepens the hold if this task already owns it. Resolves `false`
   * on timeout; rejects with the signal's reason when aborted.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'RLock.acquire');
      if (refused) return refused;
    }
    let me: TaskIdentity;
    try {
      me = requireIdentity('RLock.acquire()');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.acquireAs(me, opts);
  }

  /**
   * Whether the lock was taken away from a task that died holding it (a thread or process
   * killed while it held the lock through a handle, at whatever depth): the data it guards
   * may be half-written. It stays set for whoever takes the lock next, and clears when that
   * holder lets go of it completely. Check it after acquiring, repair, then release.
   *
   * @example
   * ```ts
   * const rlock = new RLock();
   * const ledger: number[] = [];
   * await spawn(async () => {
   *   using _ = await rlock.guard();
   *   if (rlock.abandoned) ledger.length = 0; // the last holder died mid-update: start clean
   *   ledger.push(1);
   * });
   * ```
   */
  get abandoned(): boolean {
    return this.wasAbandoned;
  }

  private acquireAs(me: TaskIdentity, opts: WaitOptions | undefined): Promise<boolean> {
    if (this.tryTake(me)) return RESOLVED_TRUE;
    return this.waiters.wait(opts, falseOnTimeout, me);
  }

  /** Takes or deepens the lock if that needs no waiting. */
  tryAcquire(): boolean {
    return this.tryTake(requireIdentity('RLock.tryAcquire()'));
  }

  /** Undoes one acquire by the owning task; the last one hands the lock to the longest waiter. */
  release(): void {
    const me = currentIdentity();
    if (this.owner === null) {
      throw new RuntimeError(
        'RLock.release(): the lock is not held; release only after a successful acquire',
      );
    }
    if (this.owner !== me) {
      throw new RuntimeError(
        `RLock.release(): the lock is held by task ${this.owner.name}, not by ${me ? `task ${me.name}` : 'code outside any task'}; only the owner may release it`,
      );
    }
    if (--this.count === 0) this.handOff();
  }

  /** Whether any task holds the lock. */
  locked(): boolean {
    return this.owner !== null;
  }

  /** Acquires and returns a `Disposable` that releases once; rejects with `TimeoutError` on timeout. */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this, 'RLock', opts);
  }

  private tryTake(me: TaskIdentity): boolean {
    if (this.owner === me) {
      this.count++;
      return true;
    }
    if (this.owner === null) {
      this.owner = me;
      this.count = 1;
      return true;
    }
    return false;
  }

  /** Gives the lock to the longest waiter still waiting, or frees it; a new holding is not abandoned. */
  private handOff(): void {
    this.wasAbandoned = false;
    for (let waiter = this.waiters.shift(); waiter !== null; waiter = this.waiters.shift()) {
      const saved = waiter.data as RestoreState | TaskIdentity;
      const next = 'owner' in saved ? saved : { owner: saved, count: 1 };
      this.owner = next.owner;
      this.count = next.count;
      if (waiter.resolve(true)) return;
    }
    this.owner = null;
    this.count = 0;
  }

  [IS_OWNED](): boolean {
    return this.owner !== null && this.owner === currentIdentity();
  }

  [RELEASE_SAVE](): RestoreState {
    const saved = { owner: this.owner!, count: this.count };
    this.count = 0;
    this.handOff();
    return saved;
  }

  async [ACQUIRE_RESTORE](saved: unknown): Promise<void> {
    const state = saved as RestoreState;
    if (this.owner === null) {
      this.owner = state.owner;
      this.count = state.count;
      return;
    }
    await this.waiters.waitIgnoringTask(state);
  }

  get [HOLDER](): TaskIdentity | undefined {
    return this.owner ?? undefined;
  }

  [ACQUIRE_FOR](holder: TaskIdentity | undefined, opts?: WaitOptions): Promise<boolean> {
    if (holder === undefined) return this.acquire(opts);
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'RLock.acquire');
      if (refused) return refused;
    }
    return this.acquireAs(holder, opts);
  }

  [RELEASE_UNSEEN](): void {
    const abandoned = this.wasAbandoned;
    this.release();
    if (abandoned) this.wasAbandoned = true;
  }

  [ABANDON](): void {
    if (this.owner === null) return;
    // Every level the dead owner took goes at once.
    this.count = 0;
    this.handOff();
    this.wasAbandoned = true;
  }
}

interface RestoreState {
  owner: TaskIdentity;
  count: number;
}
