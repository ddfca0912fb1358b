/**
 * `Barrier` — let a fixed number of tasks meet before any goes on (Python's
 * `threading.Barrier` / `asyncio.Barrier`).
 * @module
 */
import { describe, invalidTimeout, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { type Waiter, WaiterQueue } from '../core/waiter.js';
import { BrokenBarrierError } from '../errors.js';

/** Options of a `Barrier`. */
export interface BarrierOptions {
  /** Runs once per generation, when the last party arrives, before anyone is released. If it throws, the barrier breaks. */
  action?: (() => void | Promise<void>) | undefined;
  /** Default timeout (ms) for `wait()` calls that do not give their own. */
  timeout?: number | undefined;
}

/**
 * A meeting point for `parties` tasks. Each `wait()` parks until `parties` tasks are
 * waiting; then all are released together and the barrier starts its next generation.
 * Each wait resolves to its arrival index, `0` to `parties - 1`, unique per generation.
 *
 * A wait that times out breaks the barrier (every waiter, now and later, gets
 * `BrokenBarrierError` until `reset()`), as in `threading`. A wait that is aborted by its
 * signal just leaves, as in `asyncio`: the barrier stays whole and waits for another party.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * await Promise.all([0, 1, 2].map(async () => {
 *   await setup();
 *   await barrier.wait(); // nobody starts before all are set up
 *   await work();
 * }));
 * ```
 */
export class Barrier {
  /** How many tasks must arrive to release a generation. */
  readonly parties: number;
  private readonly action: (() => void | Promise<void>) | undefined;
  private readonly defaultTimeout: number | undefined;
  private readonly waiters = new WaiterQueue<number>();
  private isBroken = false;
  /** True while the action of a full generation runs: arrivals then belong to the next one. */
  private releasing = false;
  private readonly nextGeneration = new WaiterQueue<number>();

  constructor(parties: number, options: BarrierOptions = {}) {
    if (!Number.isSafeInteger(parties) || parties < 1) {
      throw new RangeError(
        `Barrier(parties): parties must be an integer >= 1, got ${describe(parties)}`,
      );
    }
    const { action, timeout } = options;
    if (action !== undefined && typeof action !== 'function') {
      throw new TypeError(`Barrier: options.action must be a function, got ${describe(action)}`);
    }
    if (timeout !== undefined) {
      const err = invalidTimeout(timeout, 'Barrier');
      if (err) throw err;
    }
    this.parties = parties;
    this.action = action;
    this.defaultTimeout = timeout;
  }

  /** How many tasks are waiting in the current generation. */
  get nWaiting(): number {
    return this.waiters.length;
  }

  /** Whether the barrier is broken (by `abort()`, a timed-out wait, or a failing action). */
  get broken(): boolean {
    return this.isBroken;
  }

  /**
   * Waits until `parties` tasks are waiting. Resolves to this task's arrival index;
   * rejects with `BrokenBarrierError` if the barrier is or becomes broken.
   */
  async wait(opts?: WaitOptions): Promise<number> {
    const err = invalidWaitOptions(opts, 'Barrier.wait');
    if (err) throw err;
    // An already-aborted signal must not count as an arrival (it would release the last generation).
    if (opts?.signal?.aborted) throw opts.signal.reason;
    if (this.isBroken) throw this.brokenError();
    const timeout = opts?.timeout ?? this.defaultTimeout;
    const waitOpts = timeout === opts?.timeout ? opts : { timeout, signal: opts?.signal };
    if (this.releasing) {
      // The previous generation's action is running: queue for the next generation.
      await this.nextGeneration.wait(opts, () => 0);
      if (this.isBroken) throw this.brokenError();
    }
    if (this.waiters.length + 1 < this.parties) {
      return this.waiters.wait(waitOpts, this.timedOut);
    }
    return this.release();
  }

  /** Returns the barrier to its empty, whole state; tasks waiting now get `BrokenBarrierError`. */
  reset(): void {
    this.breakWaiters();
    this.isBroken = false;
  }

  /** Breaks the barrier: waiting and future `wait()`s reject with `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.isBroken = true;
    this.breakWaiters();
  }

  /** The last party arrived: run the action, then release the generation in arrival order. */
  private async release(): Promise<number> {
    const index = this.parties - 1;
    if (this.action !== undefined) {
      this.releasing = true;
      try {
        await this.action();
      } catch (err) {
        this.abort();
        throw err;
      } finally {
        this.releasing = false;
      }
    }
    let arrival = 0;
    for (let waiter = this.waiters.shift(); waiter !== null; waiter = this.waiters.shift()) {
      if (waiter.resolve(arrival)) arrival++;
    }
    this.nextGeneration.wakeAll(0);
    return index;
  }

  private breakWaiters(): void {
    const err = this.brokenError();
    this.waiters.rejectAll(err);
    this.nextGeneration.wakeAll(0);
  }

  private readonly timedOut = (_waiter: Waiter<number>): number => {
    this.abort();
    throw new BrokenBarrierError(
      'Barrier.wait(): timed out waiting for the other parties; the barrier is now broken',
    );
  };

  private brokenError(): BrokenBarrierError {
    return new BrokenBarrierError(
      'Barrier is broken (aborted, a wait timed out, or its action failed); call reset() to use it again',
    );
  }
}
