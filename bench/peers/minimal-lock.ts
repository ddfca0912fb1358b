/**
 * The floor for the Lock benchmark: the smallest FIFO lock that hands the lock straight
 * to the longest waiter on release. No timeouts, no signals, no checks.
 */
import { Fifo } from './fifo.js';

const RESOLVED: Promise<void> = Promise.resolve();

export class MinimalLock {
  private isLocked = false;
  private readonly waiters = new Fifo<() => void>();

  acquire(): Promise<void> {
    if (!this.isLocked) {
      this.isLocked = true;
      return RESOLVED;
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    // Hand-off: the lock stays locked for the waiter, so no newcomer can barge in.
    if (next !== undefined) next();
    else this.isLocked = false;
  }
}
