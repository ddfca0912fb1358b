/**
 * How the tasks of one thread wait for a change of a shared primitive that hands out no
 * turns: an event's flag, a barrier's generation, a condition's notification. Unlike the
 * turnstile (turnstile.ts), every waiter checks its own condition — one that is not
 * served yet does not hold back those behind it — and no thread takes a place in a turn
 * list. Parking, timeouts and aborts are the waiter core's; while any task waits, one loop
 * per thread sleeps on the primitive's sequence word and checks every waiter after each
 * change, under the primitive's mutex, so a change between a check and the sleep is never
 * lost.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { type OnTimeout, type Waiter, WaiterQueue } from '../core/waiter.js';
import { blockOn, bump, LoopHold, NOT_YET, SEQ, sleepOn, underMutex } from './turnstile.js';

/** How often a sleeper checks again though nothing changed (dead threads are found so). */
const CHECK_MS = 100;

/** What a primitive tells its waiters: what each one gets, and what to do when one gives up. */
export interface ChangeRules<T> {
  /** Under the mutex: what the waiter who brought `data` gets now, or `NOT_YET`; throw to reject it. */
  check(data: unknown): T | typeof NOT_YET;
  /** Under the mutex, before the waiters are checked: frees what dead threads held; `true` if it did. */
  reap?(): boolean;
  /** A waiter that timed out or was aborted has left (outside the mutex). */
  left?(data: unknown): void;
  /** Under the mutex: whether the waiters wait on another thread that may die (see turnstile.ts). */
  heldElsewhere?(): boolean;
}

/** One thread's tasks waiting for changes of one shared primitive. */
export class ChangeWaiters<T> extends WaiterQueue<T> {
  private sleeping = false;
  private readonly loopHold = new LoopHold();
  /** The sequence word as the last check saw it under the mutex: sleep only while it still holds. */
  private seen = 0;

  constructor(
    private readonly words: Int32Array,
    private readonly rules: ChangeRules<T>,
  ) {
    super();
  }

  /**
   * Serves the caller at once if its check passes, else parks it until it does, it times
   * out or it is aborted. `ignoreTask`: the task being killed does not interrupt the wait
   * (taking a lock back on the way out of a condition wait). Throws what `check` throws.
   */
  enqueue(
    opts: WaitOptions | undefined,
    onTimeout: OnTimeout<T>,
    data: unknown,
    ignoreTask = false,
  ): Promise<T> {
    const now = this.checkNow(data);
    if (now !== NOT_YET) return Promise.resolve(now);
    const promise = ignoreTask ? this.waitIgnoringTask(data) : this.wait(opts, onTimeout, data);
    // Checks everyone again, recording the word the sleep then waits on.
    if (this.length > 0) this.serveAll();
    return promise;
  }

  /** Under the mutex: what `data` gets now, or `NOT_YET`. */
  checkNow(data: unknown): T | typeof NOT_YET {
    const words = this.words;
    return underMutex(words, () => {
      if (this.rules.reap?.()) bump(words);
      return this.rules.check(data);
    });
  }

  /** Settles every waiter of this thread whose check passes now. */
  serveAll(): void {
    const words = this.words;
    let elsewhere = false;
    underMutex(words, () => {
      if (this.rules.reap?.()) bump(words);
      for (let waiter = this.peek(); waiter !== null; ) {
        const next = waiter.next;
        let value: T | typeof NOT_YET;
        try {
          value = this.rules.check(waiter.data);
        } catch (err) {
          this.remove(waiter);
          waiter.reject(err);
          waiter = next;
          continue;
        }
        if (value !== NOT_YET) {
          this.remove(waiter);
          waiter.resolve(value);
        }
        waiter = next;
      }
      this.seen = words[SEQ]!;
      elsewhere = this.length > 0 && this.rules.heldElsewhere?.() === true;
    });
    this.loopHold.hold(elsewhere);
    if (this.length > 0 && !this.sleeping) void this.sleep();
  }

  /**
   * Blocks this thread until `data`'s check passes (a worker's `waitSync`); `NOT_YET` when
   * `timeout` ran out. Throws what `check` throws.
   */
  serveBlocking(data: unknown, timeout: number | undefined): T | typeof NOT_YET {
    const words = this.words;
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    let seen = 0;
    for (;;) {
      const value = underMutex(words, () => {
        if (this.rules.reap?.()) bump(words);
        seen = words[SEQ]!;
        return this.rules.check(data);
      });
      if (value !== NOT_YET) return value;
      const left = deadline - performance.now();
      if (left <= 0) return NOT_YET;
      blockOn(words, seen, Math.min(left, CHECK_MS));
    }
  }

  /** A waiter that gave up (timeout, abort) tells its primitive. */
  override remove(waiter: Waiter<T>): void {
    const linked = waiter.queue === this;
    super.remove(waiter);
    if (!linked || !waiter.settled) return;
    this.rules.left?.(waiter.data);
    if (this.length === 0) this.loopHold.hold(false);
  }

  private async sleep(): Promise<void> {
    this.sleeping = true;
    try {
      while (this.length > 0) {
        // Counted as a sleeper, or a change would not wake it (only the next check would).
        await sleepOn(this.words, this.seen, CHECK_MS);
        if (this.length > 0) this.serveAll();
      }
    } finally {
      this.sleeping = false;
    }
  }
}
