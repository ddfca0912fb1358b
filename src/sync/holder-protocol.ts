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

/**
 * The loan of a lock to a handle's thread (lock-loan.ts), if it is lent: the lock calls
 * `recall` when anyone else wants it, so the borrower gives it back as soon as it can.
 */
export const LOAN: unique symbol = Symbol('weft.loan');

/** How many wait for the lock (a loan granted while some wait is recalled at once). */
export const WAITING: unique symbol = Symbol('weft.waiting');

/** What a lent lock calls when someone else wants it, and asks of its borrower. */
export interface LoanHook {
  recall(): void;
  /** Whether a task of the borrowing thread holds it, as of the borrower's last word. */
  readonly held: boolean;
}
