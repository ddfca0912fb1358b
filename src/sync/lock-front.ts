/**
 * What a condition variable shows of the lock under it: `acquire`, `release`, `locked` and
 * `guard` act on that lock (`Condition`, `SharedCondition`).
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { type Acquirable, guardOf } from './guard.js';

/** A lock that can also say whether it is held. */
export interface FrontedLock extends Acquirable {
  locked(): boolean;
}

/** The lock methods of a condition, passed through to its lock. */
export class LockFront<L extends FrontedLock> {
  constructor(
    readonly lock: L,
    private readonly className: string,
  ) {}

  /** Acquires the underlying lock. */
  acquire(opts?: WaitOptions): Promise<boolean> {
    return this.lock.acquire(opts);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.lock.release();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.lock.locked();
  }

  /** Acquires the underlying lock and returns a `Disposable` that releases it. */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this.lock, this.className, opts);
  }
}
