/**
 * `RedisLock` — the `Lock` contract across machines, on leases with fencing tokens.
 * @module
 */
import { refuseUnknownOptions } from '../core/options.js';
import { LeaseLostError, RuntimeError } from '../errors.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { checkLease, type HeldLease } from './held-leases.js';
import { keyspace } from './keys.js';
import { LeasedPrimitive } from './leased-primitive.js';
import { ACQUIRE, LEAVE, LOCK_KEYS, POLL, RELEASE, RENEW } from './lock-scripts.js';
import type { Entry } from './wait-line.js';

/** Options of `new RedisLock(name, options)`. */
export interface RedisLockOptions extends RedisConnectionOptions {
  /**
   * How long a hold lasts without renewal (ms, default 30,000): the holder renews it every
   * third of it while it lives; a holder that dies loses the lock this long after its last
   * renewal.
   */
  lease?: number | undefined;
}

const OPTION_KEYS = ['lease', ...CONNECTION_OPTION_KEYS];

/** The default lease of locks and semaphores (ms). */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * A mutual-exclusion lock shared by every process that names it, on any machine. Holding
 * it is a key in Redis with a lease, renewed every third of the lease while held; a holder
 * that dies loses it when its lease runs out, and the next holder sees `abandoned`. Each
 * hold has a **fencing token**, a number larger than every earlier hold's: pass it along with
 * each write the lock guards, and let the store refuse a write whose token is older than
 * one it has seen (a holder paused past its lease then cannot overwrite its successor's
 * work). Waiters wait in line in Redis: `release()` hands the lock straight to the longest
 * live waiter, wherever it runs.
 *
 * As the task-scope `Lock`, it has no owner within the object: any code holding the object
 * may release what the object holds. Every method returns a promise.
 *
 * @example
 * ```ts
 * import { RedisLock } from 'weft/redis';
 * await using stock = new RedisLock('stock', { redis: 'redis://127.0.0.1:6379' });
 * {
 *   await using _held = await stock.guard({ timeout: 5_000 });
 *   await storage.write('stock/42', count, { fencingToken: stock.fencingToken });
 * }
 * ```
 */
export class RedisLock extends LeasedPrimitive {
  readonly #ownerKey: string;

  constructor(name: string, options: RedisLockOptions = {}) {
    const where = `RedisLock(${JSON.stringify(name)})`;
    const prefix = keyspace('lock', name, 'RedisLock');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${where}: options must be an object like { lease, redis }`);
    }
    refuseUnknownOptions(options, OPTION_KEYS, where);
    const lease = checkLease(options.lease ?? DEFAULT_LEASE_MS, where);
    super({
      kind: 'RedisLock',
      name,
      lease,
      connection: new RedisConnection(options, 'RedisLock'),
      keys: LOCK_KEYS.map((part) => `${prefix}:${part}`),
      args: [`${prefix}:grants`, String(lease)],
      scripts: { acquire: ACQUIRE, poll: POLL, leave: LEAVE, renew: RENEW },
      entryOf,
    });
    this.#ownerKey = `${prefix}:${LOCK_KEYS[0]}`;
  }

  /**
   * Releases what this object holds, handing the lock to the longest live waiter. Rejects
   * with `RuntimeError` when this object holds nothing, and with `LeaseLostError` when the
   * lease ran out and the lock was taken by someone else since.
   */
  async release(): Promise<void> {
    this.checkOpen('release');
    const held = this.held.take();
    if (held === undefined) {
      throw new RuntimeError(
        `${this.describe()}.release(): this object does not hold the lock; release only after a successful acquire`,
      );
    }
    const [released, handedTo] = (await this.run(RELEASE, [held.token])) as [0 | 1, string?];
    if (released === 0) {
      throw new LeaseLostError(
        `${this.describe()}.release(): the hold with fencing token ${held.token} lost its lease ` +
          `(not renewed within ${this.lease} ms) and someone else took the lock since; ` +
          'what was written under it may be overwritten by the new holder',
      );
    }
    if (handedTo) {
      const space = handedTo.indexOf(' ');
      this.line.grant(handedTo.slice(0, space), handedTo.slice(space + 1));
    }
  }

  /** Whether anyone, anywhere, holds the lock now. */
  async locked(): Promise<boolean> {
    this.checkOpen('locked');
    return (await this.connection.client.exists(this.#ownerKey)) === 1;
  }

  /**
   * The fencing token of the hold this object has, while it has one: a number larger than
   * that of every earlier hold of this lock. `undefined` when not held.
   */
  get fencingToken(): number | undefined {
    const newest = this.held.newest;
    return newest === undefined || newest.lost ? undefined : Number(newest.token);
  }

  /**
   * Whether the hold this object has was taken over from a holder whose lease ran out
   * without a release (it died, or stalled past its lease): what the lock guards may be
   * half-written. Repair it before going on; `release()` clears the flag. Also set when the
   * lock was handed to a waiter that died before it woke (nobody can tell it did nothing).
   */
  get abandoned(): boolean {
    return this.held.newest?.info === '1';
  }

  protected giveBack(held: HeldLease[]): Promise<unknown> {
    return Promise.allSettled(held.map(({ token }) => this.run(RELEASE, [token])));
  }
}

type AcquireReply = [0, number] | [1, number, string] | [2, number, number];

function entryOf(reply: unknown): Entry {
  const [state, token, info] = reply as AcquireReply;
  return { token: String(token), info: state === 1 ? (info as string) : undefined };
}
