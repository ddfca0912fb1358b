/**
 * Handles on the synchronization primitives — `Lock`/`RLock`, `Semaphore`/
 * `BoundedSemaphore`, `Event`, `Condition`, `Barrier` — living in another thread. Same
 * interface as the primitive, with every method asynchronous (`tryAcquire`, `release`,
 * `locked`, `set`, `isSet`, ... return promises), and the same `{ timeout, signal }`
 * guarantees.
 * @module
 */

import type { WaitOptions } from '../core/options.js';
import { TimeoutError } from '../errors.js';
import { Handle } from '../remote/handle.js';
import { waitForPredicate } from './condition.js';
import { LockLoan } from './lock-loan-handle.js';

const NO_ARGS: readonly unknown[] = [];

/**
 * What a handle's `guard()` gives: `using` releases without waiting for the owner's answer
 * (a failure is reported as a process warning); `await using` waits for it and throws it.
 */
export interface HandleGuard extends Disposable, AsyncDisposable {}

/**
 * What every lock-like handle (Lock, RLock, Semaphore, Condition) shares: waiting to take
 * it, and a guard that gives it back at the end of a `using` block.
 */
abstract class AcquiringHandle extends Handle {
  /** Waits and takes it: `true` once held, `false` when `timeout` ran out. */
  acquire(opts?: WaitOptions): Promise<boolean> {
    return this.link.wait('acquire', NO_ARGS, opts) as Promise<boolean>;
  }

  abstract release(): Promise<void>;

  /** Acquires and returns a guard for `using`/`await using`; rejects with `TimeoutError` on timeout. */
  guard(opts?: WaitOptions): Promise<HandleGuard> {
    return guardOf(this, this.link.info.className, opts);
  }
}

/** What an asynchronous guard holds: a handle, or a Redis-scope lock or semaphore. */
export interface AsyncAcquirable {
  acquire(opts?: WaitOptions): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Acquires and returns a guard that releases once: `await using` waits for the release and
 * throws what it threw; `using` cannot wait, so a failed release becomes a
 * `HandleReleaseError` process warning. Rejects with `TimeoutError` on timeout.
 */
export async function guardOf(
  handle: AsyncAcquirable,
  what: string,
  opts: WaitOptions | undefined,
): Promise<HandleGuard> {
  if (!(await handle.acquire(opts))) {
    throw new TimeoutError(`${what}.guard(): not acquired within ${opts?.timeout} ms`);
  }
  let held = true;
  const release = (): Promise<void> | undefined => {
    if (!held) return undefined;
    held = false;
    return handle.release();
  };
  return {
    [Symbol.dispose]() {
      release()?.catch((err: unknown) => reportLostRelease(what, err));
    },
    async [Symbol.asyncDispose]() {
      await release();
    },
  };
}

function reportLostRelease(what: string, error: unknown): void {
  const warning = new Error(
    `${what}.guard(): releasing at the end of a using block failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (use \`await using\` to get the error where it happens)`,
    { cause: error },
  );
  warning.name = 'HandleReleaseError';
  Object.assign(warning, { code: 'WEFT_HANDLE_RELEASE' });
  process.emitWarning(warning);
}

/**
 * A handle on a `Lock` or `RLock` in another thread. An RLock is re-entrant per task of the
 * calling thread. If this thread or process dies holding the lock, the owner takes it back
 * and marks it `abandoned` for its next holder.
 */
export class LockHandle extends AcquiringHandle {
  /**
   * The lock's `abandoned` as of the owner's last answer (so, right after `acquire()`): it
   * was taken away from a holder that died, and the data it guards may be half-written.
   * Check it after acquiring, repair, then release (which clears it).
   *
   * @example
   * ```ts
   * // in a worker, given a Lock of the main thread as `lock: LockHandle`
   * // and the data it guards as `ledger: QueueHandle<number>`:
   * await lock.acquire();
   * try {
   *   if (lock.abandoned) await ledger.putNowait(0); // the last holder died mid-update: repair
   *   await ledger.putNowait(1);
   * } finally {
   *   await lock.release();
   * }
   * ```
   */
  get abandoned(): boolean {
    const loan = this.loan;
    if (loan?.lent && !loan.abandonedStillApplies) return false;
    return this.link.state.abandoned ?? false;
  }

  /**
   * Waits for the lock and takes it. A `Lock` (not an `RLock`) is lent to this thread while
   * only this thread uses it: its acquires and releases then cost no round trip, until
   * someone else asks for it (see sync/lock-loan.ts).
   */
  override acquire(opts?: WaitOptions): Promise<boolean> {
    return this.loan?.acquire(opts) ?? super.acquire(opts);
  }

  /** Takes the lock if that needs no waiting. */
  tryAcquire(): Promise<boolean> {
    const here = this.loan?.tryAcquire();
    if (here !== undefined) return Promise.resolve(here);
    return this.link.call('tryAcquire', NO_ARGS) as Promise<boolean>;
  }

  /** Releases the lock; rejects with `RuntimeError` as the lock's `release` throws it. */
  release(): Promise<void> {
    const here = this.loan?.release();
    if (here !== undefined) return here;
    return this.link.call('release', NO_ARGS) as Promise<void>;
  }

  /** Whether the lock is held by anyone. */
  locked(): Promise<boolean> {
    const loan = this.loan;
    if (loan?.lent) return Promise.resolve(loan.heldHere);
    return this.link.call('locked', NO_ARGS) as Promise<boolean>;
  }

  /** The loan machinery, for a `Lock` (an `RLock` is re-entrant per task: always asked of its owner). */
  private get loan(): LockLoan | undefined {
    if (this.lending === undefined) {
      this.lending = this.link.kind === 'Lock' ? new LockLoan(this.link) : null;
    }
    return this.lending ?? undefined;
  }

  private lending: LockLoan | null | undefined = undefined;
}

/** A handle on a `Semaphore` or `BoundedSemaphore` in another thread. */
export class SemaphoreHandle extends AcquiringHandle {
  /** Permits available now. */
  get value(): Promise<number> {
    return this.link.call('value', NO_ARGS) as Promise<number>;
  }

  /** A `BoundedSemaphore`'s initial value, which `value` may never exceed; `undefined` for a `Semaphore`. */
  get bound(): number | undefined {
    return this.link.info.bound;
  }

  tryAcquire(): Promise<boolean> {
    return this.link.call('tryAcquire', NO_ARGS) as Promise<boolean>;
  }

  release(n = 1): Promise<void> {
    return this.link.call('release', [n]) as Promise<void>;
  }
}

/** A handle on an `Event` in another thread. */
export class EventHandle extends Handle {
  set(): Promise<void> {
    return this.link.call('set', NO_ARGS) as Promise<void>;
  }

  clear(): Promise<void> {
    return this.link.call('clear', NO_ARGS) as Promise<void>;
  }

  isSet(): Promise<boolean> {
    return this.link.call('isSet', NO_ARGS) as Promise<boolean>;
  }

  wait(opts?: WaitOptions): Promise<boolean> {
    return this.link.wait('wait', NO_ARGS, opts) as Promise<boolean>;
  }
}

/**
 * A handle on a `Condition` in another thread. `waitFor`'s predicate runs here, in the
 * calling thread, between waits (it usually reads state the caller can see).
 */
export class ConditionHandle extends AcquiringHandle {
  release(): Promise<void> {
    return this.link.call('release', NO_ARGS) as Promise<void>;
  }

  locked(): Promise<boolean> {
    return this.link.call('locked', NO_ARGS) as Promise<boolean>;
  }

  /** Releases the lock, waits for a notification and re-takes the lock (always, also on timeout or abort). */
  wait(opts?: WaitOptions): Promise<boolean> {
    return this.link.wait('wait', NO_ARGS, opts) as Promise<boolean>;
  }

  /** Waits until `predicate()` is truthy, re-checking after each notification; returns its last value. */
  waitFor<R>(predicate: () => R, opts?: WaitOptions): Promise<R> {
    const className = this.link.info.className;
    return waitForPredicate(className, (waitOpts) => this.wait(waitOpts), predicate, opts);
  }

  notify(n = 1): Promise<void> {
    return this.link.call('notify', [n]) as Promise<void>;
  }

  notifyAll(): Promise<void> {
    return this.link.call('notifyAll', NO_ARGS) as Promise<void>;
  }
}

/** A handle on a `Barrier` in another thread. Its action, if any, runs in the owner's thread. */
export class BarrierHandle extends Handle {
  /** How many parties must arrive to release a generation. */
  get parties(): number {
    return this.link.info.parties!;
  }

  /** How many parties wait in the current generation. */
  get nWaiting(): Promise<number> {
    return this.link.call('nWaiting', NO_ARGS) as Promise<number>;
  }

  /** Whether the barrier is broken. */
  get broken(): Promise<boolean> {
    return this.link.call('broken', NO_ARGS) as Promise<boolean>;
  }

  wait(opts?: WaitOptions): Promise<number> {
    return this.link.wait('wait', NO_ARGS, opts) as Promise<number>;
  }

  reset(): Promise<void> {
    return this.link.call('reset', NO_ARGS) as Promise<void>;
  }

  abort(): Promise<void> {
    return this.link.call('abort', NO_ARGS) as Promise<void>;
  }
}
