/**
 * What the owner of a `Lock` or `RLock` needs to give it back when the party holding it
 * dies (a thread or process killed while it held the lock through a handle): who holds it,
 * and how to take it away from a holder that can no longer release it. Symbol-keyed so it
 * stays off the public surface.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import type { TaskIdentity } from '../core/task-identity.js';

/** The task identity holding the lock (`undefined`: free, or held by code that has none recorded). */
export const HOLDER: unique symbol = Symbol('weft.holder');
/** Acquires for the given task identity, recorded as the holder (what a handle's acquire runs). */
export const ACQUIRE_FOR: unique symbol = Symbol('weft.acquireFor');
/** Takes the lock away from a holder that died: frees it for the next one, marked `abandoned`. */
export const ABANDON: unique symbol = Symbol('weft.abandon');

/**
 * Releases for a party that never saw the lock (it was granted after the party went away):
 * an `abandoned` mark stays for the next holder, since nobody repaired anything.
 */
export const RELEASE_UNSEEN: unique symbol = Symbol('weft.releaseUnseen');

/** A lock whose holder is known, so that a dead holder's hold can be given back. */
export interface HeldLock {
  readonly [HOLDER]: TaskIdentity | undefined;
  [ACQUIRE_FOR](holder: TaskIdentity | undefined, opts?: WaitOptions): Promise<boolean>;
  [ABANDON](): void;
  [RELEASE_UNSEEN](): void;
}
