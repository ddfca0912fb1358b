/**
 * `RedisSemaphore` — the `Semaphore` / `BoundedSemaphore` contract across machines, each
 * permit held on a lease.
 * @module
 */
import { describe, refuseUnknownOptions } from '../core/options.js';
import { LeaseLostError, RuntimeError } from '../errors.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { checkLease, type HeldLease } from './held-leases.js';
import { keyspace } from './keys.js';
import { LeasedPrimitive } from './leased-primitive.js';
import { DEFAULT_LEASE_MS } from './redis-lock.js';
import {
  ACQUIRE,
  LEAVE,
  POLL,
  RELEASE,
  RENEW,
  SEMAPHORE_KEYS,
  VALUE,
} from './semaphore-scripts.js';
import type { Entry } from './wait-line.js';

/** Options of `new RedisSemaphore(name, value, options)`. */
export interface RedisSemaphoreOptions extends RedisConnectionOptions {
  /** How long a permit is held without renewal (ms, default 30,000); renewed every third of it. */
  lease?: number | undefined;
  /**
   * Refuse a release of more permits than this object holds (as `BoundedSemaphore` refuses
   * a release above the initial value). Default false: such a release adds permits.
   */
  bounded?: boolean | undefined;
}

const OPTION_KEYS = ['lease', 'bounded', ...CONNECTION_OPTION_KEYS];

/**
 * A counter of permits shared by every process that names it, on any machine. Each permit
 * taken is a token in Redis with a lease, renewed every third of the lease while held: a
 * holder that dies gives its permits back when their leases run out. Waiters wait in line
 * in Redis, and a release hands its permit straight to the longest live waiter.
 *
 * Every object of one name must agree on `value` and `bounded` (the first to use the name
 * records them; a different one is refused with a RuntimeError). Permits belong to the object
 * that took them: `release(n)` gives back permits this object holds — with `bounded: true`
 * never more, without it the rest of `n` adds permits for everyone, as Python's `Semaphore`.
 *
 * @example
 * ```ts
 * import { RedisSemaphore } from 'weft/redis';
 * await using downloads = new RedisSemaphore('downloads', 3, { bounded: true });
 * {
 *   await using _permit = await downloads.guard();
 *   await fetch(url); // at most three at once, over every machine
 * }
 * ```
 */
export class RedisSemaphore extends LeasedPrimitive {
  /** The initial number of permits. */
  readonly initial: number;
  /** Whether releases beyond the permits held are refused. */
  readonly bounded: boolean;

  constructor(name: string, value = 1, options: RedisSemaphoreOptions = {}) {
    const where = `RedisSemaphore(${JSON.stringify(name)})`;
    const prefix = keyspace('semaphore', name, 'RedisSemaphore');
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${where}: value must be an integer >= 0, got ${describe(value)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${where}: options must be an object like { lease, bounded, redis }`);
    }
    refuseUnknownOptions(options, OPTION_KEYS, where);
    if (options.bounded !== undefined && typeof options.bounded !== 'boolean') {
      throw new TypeError(
        `${where}: bounded must be true or false, got ${describe(options.bounded)}`,
      );
    }
    const bounded = options.bounded ?? false;
    const lease = checkLease(options.lease ?? DEFAULT_LEASE_MS, where);
    super({
      kind: 'RedisSemaphore',
      name,
      lease,
      connection: new RedisConnection(options, 'RedisSemaphore'),
      keys: SEMAPHORE_KEYS.map((part) => `${prefix}:${part}`),
      args: [`${prefix}:grants`, String(lease), String(value), bounded ? 'bounded' : 'plain'],
      scripts: { acquire: ACQUIRE, poll: POLL, leave: LEAVE, renew: RENEW },
      entryOf,
    });
    this.initial = value;
    this.bounded = bounded;
  }

  /** The permits free now, over every machine (a promise). */
  get value(): Promise<number> {
    return (async () => {
      this.checkOpen('value');
      return (await this.run(VALUE, [])) as number;
    })();
  }

  /** How many permits this object holds. */
  get holding(): number {
    return this.held.count;
  }

  /**
   * Gives back `n` permits (default 1) of those this object holds, each straight to the
   * longest live waiter. Beyond what it holds, `n` adds permits — unless `bounded`, which
   * refuses with `RuntimeError` and changes nothing. Rejects with `LeaseLostError` (after
   * giving back the others) when a permit's lease ran out before this release: it was
   * counted free since, and someone else may have used it.
   */
  async release(n = 1): Promise<void> {
    const where = `${this.describe()}.release(${String(n)})`;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`${where}: n must be an integer >= 1, got ${describe(n)}`);
    }
    this.checkOpen('release');
    if (this.bounded && n > this.held.count) {
      throw new RuntimeError(
        `${where}: released too many times — this object holds ${this.held.count} permit(s) (bounded)`,
      );
    }
    const tokens: string[] = [];
    while (tokens.length < n && this.held.count > 0) tokens.push(this.held.take()!.token);
    const [lost, granted] = (await this.run(RELEASE, [String(n), ...tokens])) as [
      string[],
      string[],
    ];
    for (const token of granted) this.line.grant(token, 'g');
    if (lost.length > 0) {
      throw new LeaseLostError(
        `${where}: ${lost.length} permit(s) had lost their lease (not renewed within ${this.lease} ms) ` +
          'and were counted free since; what they guarded may have been used by another holder meanwhile',
      );
    }
  }

  protected giveBack(held: HeldLease[]): Promise<unknown> {
    if (held.length === 0) return Promise.resolve();
    return this.run(RELEASE, [String(held.length), ...held.map(({ token }) => token)]);
  }

  protected override explain(error: unknown): unknown {
    const found = error instanceof Error && /WEFTCONFIG (\d+)( bounded)?/.exec(error.message);
    if (!found) return error;
    return new RuntimeError(
      `${this.describe()}: the semaphore of this name has value ${found[1]}` +
        `${found[2] ? ' (bounded)' : ''} in Redis, this object was made with ${this.initial}` +
        `${this.bounded ? ' (bounded)' : ''}; use the same, or another name`,
    );
  }
}

type AcquireReply = [0] | [1, number] | [2, number];

function entryOf(reply: unknown): Entry {
  const [state, token] = reply as AcquireReply;
  return { token: String(token), info: state === 1 ? 'g' : undefined };
}
