/**
 * `SharedCondition` — a condition variable in shared memory (Python's
 * `threading.Condition` across real threads).
 *
 * Each wait takes a ticket, in order, and stands in the condition's list of waiting tickets
 * (with its thread's tag) before it lets go of the lock. `notify(n)` takes the first `n`
 * live tickets off the list and moves the "notified below" mark past them: a waiter knows
 * it was notified when its ticket is below the mark. A waiter that times out or is aborted
 * takes its own ticket off the list, so no notification goes to it; one that was notified
 * and then aborted hands its notification on; one notified and timed out in the same turn
 * counts as notified, as in CPython. Tickets of threads that died are dropped before each
 * notify, so they swallow nothing; and a notified ticket stays *claimed* until its waiter has
 * seen it, so a thread that dies between being notified and waking up does not swallow the
 * notification either: the next notify, or any waiter's periodic check, passes it on.
 * @module
 */
import { CROSS, type Crossed, type Destination, type HandleInfo } from '../codec/descriptor.js';
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import type { Waiter } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { waitForPredicate } from '../sync/condition.js';
import { LockFront } from '../sync/lock-front.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import { ChangeWaiters } from './change-waiters.js';
import {
  ACQUIRE_RESTORE,
  ACQUIRE_RESTORE_SYNC,
  IS_OWNED,
  RELEASE_SAVE,
  type SharedConditionLock,
} from './condition-lock.js';
import { SharedLock } from './shared-lock.js';
import { SharedRLock } from './shared-rlock.js';
import {
  crossShared,
  registerShared,
  reviveShared,
  type SharedDescriptor,
  sharedIdOf,
} from './shared-transport.js';
import { currentTag, tagAlive } from './thread-tag.js';
import { bump, NOT_YET, STATE, underMutex } from './turnstile.js';

const NEXT_TICKET = STATE;
/** Tickets below this one (in wrapping order) were notified. */
const NOTIFIED_BELOW = STATE + 1;
const LENGTH = STATE + 2;
/** The waiting tickets, oldest first: pairs of ticket and thread tag. */
const LIST = STATE + 3;
/** Waits that may be pending at one condition at once, in all threads together. */
export const CONDITION_CAPACITY = 1024;
const CLAIM_LENGTH = LIST + 2 * CONDITION_CAPACITY;
/** Notified tickets their waiters have not seen yet: pairs of ticket and thread tag. */
const CLAIMS = CLAIM_LENGTH + 1;
const WORDS = CLAIMS + 2 * CONDITION_CAPACITY;

/** One wait: its ticket, and how it ended when it gave up. */
interface Ticket {
  readonly ticket: number;
  /** Gave up after it was queued (the waiter core took it out of the queue). */
  left: boolean;
  /** Found notified when it left (timeout or abort). */
  notified: boolean;
  timedOut: boolean;
}

/** What a condition's lock crosses as, beside the condition's own words. */
interface ConditionInfo extends HandleInfo {
  readonly lockKind: string;
  readonly lockId: string;
}

/**
 * A condition variable in shared memory over a `SharedLock` or a `SharedRLock` (a new
 * `SharedRLock` by default, as Python's `Condition`), usable from every thread at once.
 * `wait` releases the lock, parks until notified, and re-takes the lock before it returns —
 * always, also on timeout or abort. `notify(n)` wakes exactly `n` waiters (fewer if fewer
 * wait), the longest-waiting first, whatever thread they are in. Passed to a `Thread` it
 * arrives as a `SharedCondition` on the same memory, with its lock.
 *
 * @example
 * ```ts
 * const cond = new SharedCondition();
 * const items = new SharedQueue<number>(); // or any state in shared memory
 * // consumer, in any thread
 * {
 *   using _ = await cond.guard();
 *   await cond.waitFor(() => !items.empty());
 * }
 * // producer, in any other thread
 * {
 *   using _ = await cond.guard();
 *   items.putNowait(1);
 *   cond.notify();
 * }
 * ```
 */
export class SharedCondition extends LockFront<SharedConditionLock> {
  /** The condition's own words (its lock has its own). */
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly waiters: ChangeWaiters<boolean>;

  /**
   * @param lock the lock to build on: a `SharedLock` or `SharedRLock` (a new `SharedRLock` by default).
   * @param buffer the words of an existing condition (how it arrives in a thread); new ones by default.
   */
  constructor(lock: SharedConditionLock = new SharedRLock(), buffer?: SharedArrayBuffer) {
    super(lock, 'SharedCondition');
    if (!(lock instanceof SharedLock || lock instanceof SharedRLock)) {
      throw new TypeError(
        `SharedCondition(lock): lock must be a SharedLock or a SharedRLock, got ${describe(lock)}`,
      );
    }
    this.buffer = buffer ?? new SharedArrayBuffer(WORDS * 4);
    if (this.buffer.byteLength < WORDS * 4) {
      throw new TypeError('SharedCondition: the buffer is too small for a condition');
    }
    const words = new Int32Array(this.buffer, 0, WORDS);
    this.words = words;
    this.waiters = new ChangeWaiters<boolean>(words, {
      check: (data) => {
        const { ticket } = data as Ticket;
        if (!notified(words, ticket)) return NOT_YET;
        dropClaim(words, ticket);
        return true;
      },
      reap: () => passOnLost(words, 0),
      left: (data) => this.leave(data as Ticket),
    });
  }

  /**
   * Releases the lock, waits for a notification and re-takes the lock. Resolves `true`
   * when notified, `false` on timeout; rejects with the signal's reason when aborted — in
   * every case holding the lock again. Throws `RuntimeError` if the lock is not held.
   */
  async wait(opts?: WaitOptions): Promise<boolean> {
    const err = invalidWaitOptions(opts, 'SharedCondition.wait()');
    if (err) throw err;
    this.mustOwn('wait');
    if (opts?.signal?.aborted) throw opts.signal.reason;
    const data = this.takeTicket();
    const saved = this.lock[RELEASE_SAVE]();
    try {
      return await this.waiters.enqueue(opts, this.timedOut, data);
    } catch (err) {
      // Refused without being queued (its task was being killed): it still holds a ticket.
      if (!data.left) this.leave(data);
      throw err;
    } finally {
      await this.lock[ACQUIRE_RESTORE](saved);
    }
  }

  /**
   * Blocks this worker thread as `wait` does: `true` when notified, `false` when `timeout`
   * ran out, holding the lock again either way. A `RuntimeError` on the main thread.
   */
  waitSync(opts?: SyncWaitOptions): boolean {
    const timeout = blockingTimeout(opts, 'SharedCondition.waitSync()');
    this.mustOwn('waitSync');
    const data = this.takeTicket();
    const saved = this.lock[RELEASE_SAVE]();
    try {
      if (this.waiters.serveBlocking(data, timeout) === true) return true;
      // Timed out: notified after all if its ticket is gone from the list.
      return this.leaveList(data.ticket);
    } finally {
      this.lock[ACQUIRE_RESTORE_SYNC](saved);
    }
  }

  /**
   * Waits until `predicate()` is truthy, re-checking after each notification, and returns
   * its last value (falsy when `timeout` ran out first).
   */
  waitFor<R>(predicate: () => R, opts?: WaitOptions): Promise<R> {
    return waitForPredicate('SharedCondition', (o) => this.wait(o), predicate, opts);
  }

  /** Wakes up to `n` waiters (default 1), longest-waiting first, in any thread. The lock must be held. */
  notify(n = 1): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(
        `SharedCondition.notify(n): n must be an integer >= 0, got ${describe(n)}`,
      );
    }
    this.mustOwn('notify');
    this.wake(n);
  }

  /** Wakes every waiter, in every thread. The lock must be held. */
  notifyAll(): void {
    this.mustOwn('notifyAll');
    this.wake(CONDITION_CAPACITY);
  }

  [CROSS](to: Destination): Crossed {
    const info: ConditionInfo = {
      className: 'SharedCondition',
      lockKind: this.lock instanceof SharedLock ? 'SharedLock' : 'SharedRLock',
      lockId: sharedIdOf(this.lock),
    };
    return crossShared(this, 'SharedCondition', info, this.buffer, to, this.lock.buffer);
  }

  private mustOwn(method: string): void {
    if (!this.lock[IS_OWNED]()) {
      throw new RuntimeError(
        `SharedCondition.${method}(): the lock is not held; acquire the condition (or its lock) first`,
      );
    }
  }

  /** Takes the next ticket and stands in the list with it (before the lock is let go). */
  private takeTicket(): Ticket {
    const words = this.words;
    const ticket = underMutex(words, () => {
      let length = words[LENGTH]!;
      if (length + words[CLAIM_LENGTH]! >= CONDITION_CAPACITY) {
        length = dropDead(words);
        passOnLost(words, 0);
        length = words[LENGTH]!;
      }
      if (length + words[CLAIM_LENGTH]! >= CONDITION_CAPACITY) {
        throw new RangeError(
          `SharedCondition.wait(): more than ${CONDITION_CAPACITY} waits at one condition at once`,
        );
      }
      const t = words[NEXT_TICKET]!;
      words[NEXT_TICKET] = (t + 1) | 0;
      words[LIST + 2 * length] = t;
      words[LIST + 2 * length + 1] = currentTag();
      words[LENGTH] = length + 1;
      return t;
    });
    return { ticket, left: false, notified: false, timedOut: false };
  }

  /** Notifies the first `n` live tickets and serves this thread's notified waiters at once. */
  private wake(n: number): void {
    const words = this.words;
    underMutex(words, () => passOnLost(words, n));
    if (this.waiters.length > 0) this.waiters.serveAll();
  }

  /** A timed-out wait resolves `true` if it was notified in the same turn (its ticket was gone), else `false`. */
  private readonly timedOut = (waiter: Waiter<boolean>): boolean => {
    const data = waiter.data as Ticket;
    data.timedOut = true;
    if (data.left) return data.notified;
    // Timeout 0: never queued, so it has not left the list yet.
    data.left = true;
    return this.leaveList(data.ticket);
  };

  /** Under the mutex: takes `ticket` off the list, or, if it was notified, claims it; `true` if notified. */
  private leaveList(ticket: number): boolean {
    const words = this.words;
    return underMutex(words, () => {
      if (dropTicket(words, ticket)) return false;
      dropClaim(words, ticket);
      return true;
    });
  }

  /** A wait that gave up: takes its ticket off the list, or, notified, hands the notification on if it was aborted. */
  private leave(data: Ticket): void {
    data.left = true;
    if (!this.leaveList(data.ticket)) return;
    data.notified = true;
    // After the timeout callback, which marks a timed-out wait (it keeps its notification).
    queueMicrotask(() => {
      if (!data.timedOut) this.wake(1);
    });
  }
}

/** Whether `ticket` is below the notified mark (wrapping order). */
function notified(words: Int32Array, ticket: number): boolean {
  return ((ticket - words[NOTIFIED_BELOW]!) | 0) < 0;
}

/** Under the mutex: takes `ticket` off the list; `false` if it was not there (it was notified). */
function dropTicket(words: Int32Array, ticket: number): boolean {
  const length = words[LENGTH]!;
  for (let i = 0; i < length; i++) {
    if (words[LIST + 2 * i] === ticket) {
      words.copyWithin(LIST + 2 * i, LIST + 2 * i + 2, LIST + 2 * length);
      words[LENGTH] = length - 1;
      return true;
    }
  }
  return false;
}

/**
 * Under the mutex: notifies the first `n` live tickets, and as many more as threads that died
 * left claimed (notified, never seen); `true` if any was notified.
 */
function passOnLost(words: Int32Array, n: number): boolean {
  const lost = dropDeadClaims(words);
  const length = dropDead(words);
  const k = Math.min(n + lost, length);
  if (k === 0) return false;
  let claims = words[CLAIM_LENGTH]!;
  words.copyWithin(CLAIMS + 2 * claims, LIST, LIST + 2 * k);
  words[CLAIM_LENGTH] = claims += k;
  words[NOTIFIED_BELOW] = (words[LIST + 2 * (k - 1)]! + 1) | 0;
  words.copyWithin(LIST, LIST + 2 * k, LIST + 2 * length);
  words[LENGTH] = length - k;
  bump(words);
  return true;
}

/** Under the mutex: the waiter of `ticket` has seen its notification. */
function dropClaim(words: Int32Array, ticket: number): void {
  const claims = words[CLAIM_LENGTH]!;
  for (let i = 0; i < claims; i++) {
    if (words[CLAIMS + 2 * i] === ticket) {
      words.copyWithin(CLAIMS + 2 * i, CLAIMS + 2 * i + 2, CLAIMS + 2 * claims);
      words[CLAIM_LENGTH] = claims - 1;
      return;
    }
  }
}

/** Under the mutex: drops the claims of threads that died; returns how many. */
function dropDeadClaims(words: Int32Array): number {
  let claims = words[CLAIM_LENGTH]!;
  const before = claims;
  for (let i = claims - 1; i >= 0; i--) {
    if (!tagAlive(words[CLAIMS + 2 * i + 1]!)) {
      words.copyWithin(CLAIMS + 2 * i, CLAIMS + 2 * i + 2, CLAIMS + 2 * claims);
      claims--;
    }
  }
  words[CLAIM_LENGTH] = claims;
  return before - claims;
}

/** Under the mutex: drops the tickets of threads that died; returns the new length. */
function dropDead(words: Int32Array): number {
  let length = words[LENGTH]!;
  for (let i = length - 1; i >= 0; i--) {
    if (!tagAlive(words[LIST + 2 * i + 1]!)) {
      words.copyWithin(LIST + 2 * i, LIST + 2 * i + 2, LIST + 2 * length);
      length--;
    }
  }
  words[LENGTH] = length;
  return length;
}

registerShared('SharedCondition', (descriptor: SharedDescriptor) => {
  const info = descriptor.info as ConditionInfo;
  const lock = reviveShared({
    $weft: 'handle',
    kind: info.lockKind,
    transport: 'shared',
    id: info.lockId,
    info: { className: info.lockKind },
    buffer: descriptor.extra!,
  }) as SharedConditionLock;
  return new SharedCondition(lock, descriptor.buffer);
});
