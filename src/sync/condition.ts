/**
 * `Condition` — wait for a state change announced under a lock (Python's
 * `threading.Condition` / `asyncio.Condition`).
 * @module
 */
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import {
  ACQUIRE_RESTORE,
  type ConditionLock,
  IS_OWNED,
  RELEASE_SAVE,
} from './condition-protocol.js';
import { Lock } from './lock.js';
import { LockFront } from './lock-front.js';

/**
 * A condition variable over a `Lock` (a new one by default) or an `RLock`. `wait` releases
 * the lock, parks until `notify`, and re-takes the lock before it returns — always, also
 * when it times out or is aborted, so the caller's `finally { release() }` stays right.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: number[] = [];
 * // consumer
 * {
 *   using _ = await cond.guard();
 *   await cond.waitFor(() => items.length > 0);
 *   items.shift();
 * }
 * // producer
 * {
 *   using _ = await cond.guard();
 *   items.push(1);
 *   cond.notify();
 * }
 * ```
 */
export class Condition extends LockFront<ConditionLock> {
  private readonly waiters = new WaiterQueue<boolean>();

  /** @param lock the lock to build on; a new `Lock` by default (as asyncio). */
  constructor(lock: ConditionLock = new Lock()) {
    super(lock, 'Condition');
    if (typeof lock !== 'object' || lock === null || typeof lock[IS_OWNED] !== 'function') {
      throw new TypeError(
        `Condition(lock): lock must be a weft Lock or RLock, got ${describe(lock)}`,
      );
    }
  }

  /**
   * Releases the lock, waits for a notification and re-takes the lock. Resolves `true`
   * when notified, `false` on timeout; rejects with the signal's reason when aborted —
   * in every case holding the lock again. Throws `RuntimeError` if the lock is not held.
   */
  async wait(opts?: WaitOptions): Promise<boolean> {
    const err = invalidWaitOptions(opts, 'Condition.wait');
    if (err) throw err;
    this.mustOwn('wait');
    if (opts?.signal?.aborted) throw opts.signal.reason;
    const saved = this.lock[RELEASE_SAVE]();
    try {
      return await this.waiters.wait(opts, falseOnTimeout);
    } finally {
      await this.lock[ACQUIRE_RESTORE](saved);
    }
  }

  /**
   * Waits until `predicate()` is truthy, re-checking after each notification, and returns
   * its last value (falsy when `timeout` ran out first).
   */
  waitFor<R>(predicate: () => R, opts?: WaitOptions): Promise<R> {
    return waitForPredicate('Condition', (waitOpts) => this.wait(waitOpts), predicate, opts);
  }

  /** Wakes up to `n` waiters (default 1). The lock must be held. */
  notify(n = 1): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`Condition.notify(n): n must be an integer >= 0, got ${describe(n)}`);
    }
    this.mustOwn('notify');
    this.waiters.wake(n, true);
  }

  /** Wakes every waiter. The lock must be held. */
  notifyAll(): void {
    this.mustOwn('notifyAll');
    this.waiters.wakeAll(true);
  }

  private mustOwn(method: string): void {
    if (!this.lock[IS_OWNED]()) {
      throw new RuntimeError(
        `Condition.${method}(): the lock is not held; acquire the condition (or its lock) first`,
      );
    }
  }
}

/**
 * The `waitFor` loop shared by `Condition` and its handles in other threads: checks
 * `predicate`, and while it is falsy waits (with what is left of `timeout`) for a
 * notification and checks again. Returns the predicate's last value (falsy on timeout).
 */
export async function waitForPredicate<R>(
  className: string,
  wait: (opts: WaitOptions | undefined) => Promise<boolean>,
  predicate: () => R,
  opts: WaitOptions | undefined,
): Promise<R> {
  if (typeof predicate !== 'function') {
    throw new TypeError(
      `${className}.waitFor(predicate): predicate must be a function, got ${describe(predicate)}`,
    );
  }
  const err = invalidWaitOptions(opts, `${className}.waitFor`);
  if (err) throw err;
  const timeout = opts?.timeout;
  const deadline = timeout === undefined ? undefined : performance.now() + timeout;
  let result = predicate();
  while (!result) {
    let waitOpts = opts;
    if (deadline !== undefined) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      waitOpts = { timeout: left, signal: opts?.signal };
    }
    await wait(waitOpts);
    result = predicate();
  }
  return result;
}
