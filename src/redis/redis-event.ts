/**
 * `RedisEvent` — the `Event` contract across machines: a key and a pub/sub channel.
 * @module
 */
import { refuseUnknownOptions, refuseWait, type WaitOptions } from '../core/options.js';
import { Waiter, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { ChannelListener } from './channel-listener.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { keyspace } from './keys.js';
import { LuaScript } from './scripts.js';

/** Sets the flag and tells every waiter, in one step. */
const SET = new LuaScript(
  'event-set',
  `redis.call('SET', KEYS[1], '1')
redis.call('PUBLISH', ARGV[1], 'set')
return 1`,
);

/**
 * A flag shared by every process that names it, on any machine: `set()` wakes every
 * waiter everywhere. The flag is a key in Redis; `wait()` subscribes to the event's channel
 * before it looks at the flag, so a `set` between the look and the subscription is never
 * missed, and a waiter woken by a `set` resolves `true` even if a `clear` came right after
 * (as the task-scope `Event`). The subscription is held only while a `wait` waits.
 *
 * @example
 * ```ts
 * import { RedisEvent } from 'weft/redis';
 * await using ready = new RedisEvent('cache-warm');
 * // on one machine:
 * await ready.set();
 * // on every other:
 * if (await ready.wait({ timeout: 60_000 })) serve();
 * ```
 */
export class RedisEvent {
  /** The event's name. */
  readonly name: string;
  readonly #connection: RedisConnection;
  readonly #flag: string;
  readonly #channel: string;
  readonly #listener: ChannelListener;
  readonly #waiters = new WaiterQueue<boolean>();
  #closed = false;

  constructor(name: string, options: RedisConnectionOptions = {}) {
    const prefix = keyspace('event', name, 'RedisEvent');
    const where = `RedisEvent(${JSON.stringify(name)})`;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${where}: options must be an object like { redis }`);
    }
    refuseUnknownOptions(options, CONNECTION_OPTION_KEYS, where);
    this.name = name;
    this.#connection = new RedisConnection(options, 'RedisEvent');
    this.#flag = `${prefix}:flag`;
    this.#channel = `${prefix}:sets`;
    this.#listener = new ChannelListener(this.#connection, this.#channel, {
      message: () => this.#waiters.wakeAll(true),
      // A set published while the connection was down was lost: look at the flag.
      resubscribed: () => this.#recheck(),
    });
  }

  /** Sets the flag and wakes every waiter, on every machine. */
  async set(): Promise<void> {
    this.#checkOpen('set');
    await SET.run(this.#connection.client, [this.#flag], [this.#channel]);
    // This object's own waiters wake now rather than when the message comes round.
    this.#waiters.wakeAll(true);
  }

  /** Clears the flag; later `wait`s block until the next `set`. */
  async clear(): Promise<void> {
    this.#checkOpen('clear');
    await this.#connection.client.del(this.#flag);
  }

  /** Whether the flag is set. */
  async isSet(): Promise<boolean> {
    this.#checkOpen('isSet');
    return (await this.#connection.client.exists(this.#flag)) === 1;
  }

  /**
   * Waits for the flag. Resolves `true` when set, `false` on timeout; rejects with the
   * signal's reason when aborted, leaving no subscription and no listener behind.
   */
  async wait(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) await refuseWait(opts, 'RedisEvent.wait');
    this.#checkOpen('wait');
    const started = performance.now();
    if (await this.isSet()) return true;
    const timeout = opts?.timeout;
    if (timeout === 0) return false;
    const waiter = new Waiter<boolean>();
    const waiting = waiter.park(
      this.#waiters,
      {
        timeout:
          timeout === undefined ? undefined : Math.max(0, timeout - (performance.now() - started)),
        signal: opts?.signal,
      },
      () => false,
    );
    const listening = this.#listener.start();
    // The subscription is dropped once the wait ends, however it ends (this also handles a
    // rejection that comes while the subscription is being made: the caller gets it below).
    const stop = () => this.#listener.stop();
    waiting.then(stop, stop);
    try {
      await listening;
      // Subscribed now: a set from here on is heard; one made before it shows in the flag.
      if (!waiter.settled && (await this.isSet())) waiter.resolve(true);
    } catch (error) {
      waiter.reject(error);
    }
    return waiting;
  }

  /** Ends the waits (they reject) and closes the connections this object opened. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiters.rejectAll(this.#closedError('wait'));
    this.#listener.close();
    await this.#connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #recheck(): Promise<void> {
    if (await this.isSet().catch(() => false)) this.#waiters.wakeAll(true);
  }

  #checkOpen(call: string): void {
    if (this.#closed) throw this.#closedError(call);
  }

  #closedError(call: string): RuntimeError {
    return new RuntimeError(
      `RedisEvent(${JSON.stringify(this.name)}).${call}(): the object was closed; make a new RedisEvent`,
    );
  }
}
