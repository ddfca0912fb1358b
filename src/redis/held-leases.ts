/**
 * The leases one `RedisLock` or `RedisSemaphore` object holds, renewed every third of the
 * lease while held. A renewal that finds a lease taken over marks it lost: its release will
 * be refused with `LeaseLostError`.
 * @module
 */
import type { Grant } from './wait-line.js';

/** The longest and shortest leases accepted (ms). */
const MIN_LEASE_MS = 10;
const MAX_LEASE_MS = 2 ** 31 - 1;

/**
 * Checks a `lease` option: a whole number of milliseconds, at least 10. Throws a RangeError
 * naming the call otherwise.
 */
export function checkLease(lease: unknown, where: string): number {
  if (
    typeof lease !== 'number' ||
    !Number.isInteger(lease) ||
    lease < MIN_LEASE_MS ||
    lease > MAX_LEASE_MS
  ) {
    throw new RangeError(
      `${where}: lease must be a whole number of milliseconds from ${MIN_LEASE_MS} to ${MAX_LEASE_MS}, got ${String(lease)}`,
    );
  }
  return lease;
}

/** One lease held: its grant, and whether a renewal found it taken over. */
export interface HeldLease extends Grant {
  lost: boolean;
}

/** The leases an object holds, oldest first. */
export class HeldLeases {
  readonly #held: HeldLease[] = [];
  readonly #every: number;
  #timer: NodeJS.Timeout | undefined;
  #renewing = false;

  constructor(
    lease: number,
    /** Extends each token's lease in one step; resolves with the tokens that lost theirs. */
    private readonly renew: (tokens: string[]) => Promise<string[]>,
  ) {
    this.#every = Math.max(1, Math.floor(lease / 3));
  }

  /** How many leases are held. */
  get count(): number {
    return this.#held.length;
  }

  /** The newest lease held, if any. */
  get newest(): HeldLease | undefined {
    return this.#held.at(-1);
  }

  /**
   * Starts holding `grant`. One handed over is renewed at once: it runs on the lease of the
   * client that granted it, which may be shorter than this one's.
   */
  add(grant: Grant): void {
    this.#held.push({ ...grant, lost: false });
    if (grant.handed) this.#renewSoon(0);
    else if (this.#timer === undefined && !this.#renewing) this.#renewSoon(this.#every);
  }

  /**
   * Stops holding one lease and returns it: a lost one first (so its loss is reported at the
   * next release), else the oldest.
   */
  take(): HeldLease | undefined {
    const lost = this.#held.findIndex((held) => held.lost);
    const [taken] = this.#held.splice(lost >= 0 ? lost : 0, 1);
    if (this.#held.length === 0) this.#stop();
    return taken;
  }

  /** Stops holding every lease; returns them. */
  takeAll(): HeldLease[] {
    const all = this.#held.splice(0);
    this.#stop();
    return all;
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #renewSoon(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#renewNow(), ms);
  }

  async #renewNow(): Promise<void> {
    this.#timer = undefined;
    if (this.#renewing) return;
    const live = this.#held.filter((held) => !held.lost);
    if (live.length > 0) {
      this.#renewing = true;
      try {
        const lost = new Set(await this.renew(live.map((held) => held.token)));
        for (const held of live) if (lost.has(held.token)) held.lost = true;
      } catch {
        // Unreachable for now: the next renewal tries again, within the lease.
      } finally {
        this.#renewing = false;
      }
    }
    if (this.#held.length > 0 && this.#timer === undefined) this.#renewSoon(this.#every);
  }
}
