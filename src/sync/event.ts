/**
 * `Event` — a flag tasks can wait for (Python's `threading.Event` / `asyncio.Event`).
 * @module
 */
import { refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';

/**
 * A boolean flag. `wait()` resolves `true` once the flag is set (at once if it already
 * is), or `false` if `timeout` runs out first.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * setTimeout(() => ready.set(), 10);
 * await ready.wait(); // true
 * ```
 */
export class Event {
  private flag = false;
  private readonly waiters = new WaiterQueue<boolean>();

  /** Sets the flag and wakes every waiter. */
  set(): void {
    this.flag = true;
    this.waiters.wakeAll(true);
  }

  /** Clears the flag; later `wait`s block until the next `set`. */
  clear(): void {
    this.flag = false;
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.flag;
  }

  /** Waits for the flag. Resolves `true` when set, `false` on timeout; rejects with the signal's reason when aborted. */
  wait(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      // An already-aborted signal rejects even when the flag is set, as every blocking call does.
      const refused = refuseWait(opts, 'Event.wait');
      if (refused) return refused;
    }
    if (this.flag) return RESOLVED_TRUE;
    return this.waiters.wait(opts, falseOnTimeout);
  }
}
