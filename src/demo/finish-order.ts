/**
 * The order the main thread hears of a dish in, when the stages' news comes by different
 * roads: with `--mode redis` a washer's put is answered on one connection and a dryer's
 * report of the same dish arrives on another, so the report could be read first. A
 * `FinishOrder` wraps a stage's counter and lets the next stage wait until this one has
 * counted a dish, so every dish is counted washed, then dried, then stacked — as in every
 * other mode.
 * @module
 */
import type { StageCounter } from './stage.js';

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
}

/**
 * A stage's counter that remembers the dishes it finished, so another stage can wait for one.
 *
 * @example
 * ```ts
 * const washed = new FinishOrder(washTally);
 * spawn(() => passOn(dirty, toDry, 2, washed));
 * await washed.reached(7); // dish 7 is counted washed
 * ```
 */
export class FinishOrder implements StageCounter {
  readonly #finished = new Set<number>();
  readonly #waiting = new Map<number, Waiter[]>();
  #abandoned: { reason: unknown } | undefined;

  constructor(private readonly counter: StageCounter) {}

  took(): void {
    this.counter.took();
  }

  finished(dish: number): void {
    this.counter.finished(dish);
    this.#finished.add(dish);
    const waiters = this.#waiting.get(dish);
    this.#waiting.delete(dish);
    for (const waiter of waiters ?? []) waiter.resolve();
  }

  /** Resolves once this stage has counted `dish` finished (at once if it has); rejects once abandoned. */
  reached(dish: number): Promise<void> {
    if (this.#finished.has(dish)) return Promise.resolve();
    if (this.#abandoned !== undefined) return Promise.reject(this.#abandoned.reason);
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(dish) ?? [];
      waiters.push({ resolve, reject });
      this.#waiting.set(dish, waiters);
    });
  }

  /** The run failed: every wait, now and later, rejects with `reason` (no waiter is left behind). */
  abandon(reason: unknown): void {
    this.#abandoned ??= { reason };
    const waiting = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    for (const waiter of waiting) waiter.reject(this.#abandoned.reason);
  }
}
