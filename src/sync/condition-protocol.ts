/**
 * What `Condition` needs from the lock under it, beyond acquire/release (CPython's
 * `_is_owned`, `_release_save`, `_acquire_restore`). Symbol-keyed so it stays off the
 * public surface.
 * @module
 */
import type { HeldLock } from './holder-protocol.js';

/** Whether the calling task may wait/notify: holds the lock (an RLock: owns it). */
export const IS_OWNED: unique symbol = Symbol('weft.isOwned');
/** Releases the lock completely and returns what is needed to restore it. */
export const RELEASE_SAVE: unique symbol = Symbol('weft.releaseSave');
/** Re-takes the lock as `RELEASE_SAVE` left it; not interruptible, so `wait` always returns holding it. */
export const ACQUIRE_RESTORE: unique symbol = Symbol('weft.acquireRestore');

/** A lock a `Condition` can be built on: `Lock` or `RLock`. */
export interface ConditionLock extends HeldLock {
  acquire(opts?: import('../core/options.js').WaitOptions): Promise<boolean>;
  release(): void;
  locked(): boolean;
  [IS_OWNED](): boolean;
  [RELEASE_SAVE](): unknown;
  [ACQUIRE_RESTORE](saved: unknown): Promise<void>;
}
