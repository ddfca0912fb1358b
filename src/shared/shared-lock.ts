/**
 * `SharedLock` — a mutual-exclusion lock in shared memory, usable from every thread at once
 * with no owner thread in between (Python's `threading.Lock` across real threads).
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { RuntimeError } from '../errors.js';
import type { SyncWaitOptions } from './blocking.js';
import { IS_OWNED, RELEASE_SAVE } from './condition-lock.js';
import { registerShared, type SharedDescriptor } from './shared-transport.js';
import { acquireTurn, acquireTurnSync, LOCK_STATE, TurnLock, tryTurn } from './turn-lock.js';
import { underMutex } from './turnstile.js';

/**
 * A lock in shared memory. Passed to a `Thread` (or a thread-pool task) it arrives as a
 * `SharedLock` on the same memory; every thread then takes and releases it directly.
 * Waiters are served in FIFO order: the tasks of one thread in the order they came, the
 * threads in the order they started waiting (a thread served goes to the back of the line
 * if it has more tasks waiting). Like Python's `Lock` it has no owner: any thread may
 * release it. A thread that dies holding it loses it; the next holder sees `abandoned`.
 *
 * @example
 * ```ts
 * const lock = new SharedLock();
 * const counter = new SharedValue('i', 0, { lock: false });
 * await Promise.all([1, 2].map(() => new Thread(async (lock, counter) => {
 *   for (let i = 0; i < 1000; i++) {
 *     using _ = await lock.guard();
 *     counter.value += 1;
 *   }
 * }, { args: [lock, counter] }).start().join()));
 * ```
 */
export class SharedLock extends TurnLock {
  /** @param buffer the words of an existing lock (how it arrives in a thread); new ones by default. */
  constructor(buffer?: SharedArrayBuffer) {
    super('SharedLock', LOCK_STATE, buffer, () => {});
  }

  /**
   * Waits for the lock and takes it: `true` once held, `false` when `timeout` ran out;
   * rejects with the signal's reason when aborted, leaving no trace.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    return acquireTurn(this.turnstile, opts, 'SharedLock.acquire()');
  }

  /** Takes the lock if it is free and no thread waits for it; never waits. */
  tryAcquire(): boolean {
    return tryTurn(this.turnstile);
  }

  /**
   * Blocks this worker thread until it holds the lock: `true`, or `false` when `timeout` ran
   * out. A `RuntimeError` on the main thread (use `acquire`).
   */
  acquireSync(opts?: SyncWaitOptions): boolean {
    return acquireTurnSync(this.turnstile, opts, 'SharedLock.acquireSync()');
  }

  /** Releases the lock (from any thread) and clears `abandoned`; throws if it is not locked. */
  release(): void {
    underMutex(this.words, () => this.free(notLocked));
    this.handOn();
  }

  [IS_OWNED](): boolean {
    return this.locked();
  }

  [RELEASE_SAVE](): undefined {
    this.release();
  }
}

function notLocked(): RuntimeError {
  return new RuntimeError(
    'SharedLock.release(): the lock is not locked; release only after a successful acquire',
  );
}

registerShared('SharedLock', (descriptor: SharedDescriptor) => new SharedLock(descriptor.buffer));
