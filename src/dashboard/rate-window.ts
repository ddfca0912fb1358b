/**
 * A per-second rate over the last minute, from counters read at each look: the dashboard
 * keeps one window for each count it shows as a rate.
 * @module
 */

/** How far back a rate looks (ms). */
export const RATE_WINDOW_MS = 60_000;

/** Readings of one ever-growing counter, and the rate they give. */
export class RateWindow {
  readonly #times: number[] = [];
  readonly #counts: number[] = [];

  /**
   * Records `count` read at `time` (ms), and returns the counter's growth a second over the
   * readings of the last minute, or `null` until there are two. A counter that went down (the
   * queue was deleted and made again) starts over.
   */
  add(time: number, count: number): number | null {
    const last = this.#counts.length - 1;
    if (last >= 0 && count < this.#counts[last]!) {
      this.#times.length = 0;
      this.#counts.length = 0;
    }
    this.#times.push(time);
    this.#counts.push(count);
    let drop = 0;
    while (drop < this.#times.length - 2 && time - this.#times[drop + 1]! >= RATE_WINDOW_MS) drop++;
    if (drop > 0) {
      this.#times.splice(0, drop);
      this.#counts.splice(0, drop);
    }
    if (this.#times.length < 2) return null;
    const span = time - this.#times[0]!;
    return span > 0 ? ((count - this.#counts[0]!) * 1000) / span : null;
  }
}
