/**
 * `RedisExchange` — the Cookbook's publish/subscribe exchange (the task-scope `Exchange`)
 * fanned out to subscribers on every machine over Redis pub/sub.
 * @module
 */
import { describe, refuseUnknownOptions } from '../core/options.js';
import { RuntimeError } from '../errors.js';
import { Exchange, type ExchangeErrorHandler, type Subscriber } from '../exchange/exchange.js';
import { ChannelListener } from './channel-listener.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { keyspace } from './keys.js';
import { decodeRedisValue, encodeRedisValue } from './value-codec.js';

/** Options of `new RedisExchange(name, options)`. */
export interface RedisExchangeOptions<M> extends RedisConnectionOptions {
  /**
   * Receives each failure of a subscriber of this object to take a message (the others
   * still get it). Without it, a failure becomes a process warning: the sender is on
   * another machine and cannot be told.
   */
  onError?: ExchangeErrorHandler<M> | undefined;
}

const OPTION_KEYS = ['onError', ...CONNECTION_OPTION_KEYS];

/**
 * An exchange whose messages reach the subscribers of every `RedisExchange` of the same
 * name, on every machine. `send(msg)` publishes the message on the exchange's Redis channel;
 * each object with subscribers is subscribed to it and hands each message to its own
 * subscribers in attach order, as the task-scope `Exchange` does (a subscriber that throws
 * does not stop the others).
 *
 * What pub/sub promises: **at most once**, to the objects subscribed when the message is
 * published. A subscriber attached later does not get earlier messages, and an object whose
 * connection is down when a message is published (a Redis restart, the network) misses it;
 * it subscribes again by itself once Redis is back. Messages from one sender reach each
 * subscriber in the order sent. For work that must not be lost, use a `RedisQueue` per
 * consumer instead.
 *
 * Messages go as JSON text when JSON carries them exactly, else V8-serialized (a Map, a
 * Date, a typed array); a value that cannot cross (a function, a class instance with
 * methods) is a TypeError at `send`, and nothing is published.
 *
 * @example
 * ```ts
 * import { RedisExchange } from 'weft/redis';
 * await using news = new RedisExchange<string>('news');
 * const inbox = new Queue<string>();
 * await news.attach(inbox);        // subscribed once this resolves
 * await news.send('hello');        // every machine's subscribers get it
 * console.log(await inbox.get());  // 'hello'
 * ```
 */
export class RedisExchange<M = unknown> {
  /** The exchange's name: every `RedisExchange` of this name (and Redis) is the same exchange. */
  readonly name: string;
  /** Receives this object's subscribers' failures; may be set at any time. */
  onError: ExchangeErrorHandler<M> | undefined;
  readonly #connection: RedisConnection;
  readonly #channel: string;
  readonly #local: Exchange<M>;
  readonly #listener: ChannelListener;
  /** The subscription being made or held while this object has subscribers. */
  #listening: Promise<void> | undefined;
  #closed = false;

  constructor(name: string, options: RedisExchangeOptions<M> = {}) {
    const prefix = keyspace('exchange', name, 'RedisExchange');
    const where = `RedisExchange(${JSON.stringify(name)})`;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${where}: options must be an object like { redis, onError }`);
    }
    refuseUnknownOptions(options, OPTION_KEYS, where);
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new TypeError(`${where}: onError must be a function, got ${describe(options.onError)}`);
    }
    this.name = name;
    this.onError = options.onError;
    this.#connection = new RedisConnection(options, 'RedisExchange');
    this.#channel = `${prefix}:messages`;
    this.#local = new Exchange<M>({
      name: where,
      onError: (error, subscriber, msg) => this.#report(error, subscriber, msg),
    });
    this.#listener = new ChannelListener(this.#connection, this.#channel, {
      message: (data) => this.#deliver(data),
      // Pub/sub keeps nothing: what was published while the connection was down is gone.
      resubscribed: () => {},
    });
  }

  /** How many subscribers this object has (a promise, as every method of the Redis scope). */
  get size(): Promise<number> {
    return Promise.resolve(this.#local.size);
  }

  /**
   * Adds a subscriber of this object (one already attached is left as it is); resolves once
   * the object is subscribed in Redis, so that every message sent from then on reaches it.
   */
  async attach(subscriber: Subscriber<M>): Promise<void> {
    this.#checkOpen('attach');
    this.#local.attach(subscriber);
    await this.#listen();
  }

  /** Removes a subscriber; rejects with `RuntimeError` when it is not attached to this object. */
  async detach(subscriber: Subscriber<M>): Promise<void> {
    this.#checkOpen('detach');
    this.#local.detach(subscriber);
    this.#unlistenIfIdle();
  }

  /** Whether `subscriber` is attached to this object. */
  async has(subscriber: Subscriber<M>): Promise<boolean> {
    return this.#local.has(subscriber);
  }

  /**
   * Attaches the subscribers and resolves, once subscribed, with a guard that detaches what
   * this call attached (`using` or `await using`).
   */
  async subscribe(...subscribers: Subscriber<M>[]): Promise<Disposable & AsyncDisposable> {
    this.#checkOpen('subscribe');
    const attached = this.#local.subscribe(...subscribers);
    try {
      await this.#listen();
    } catch (error) {
      attached[Symbol.dispose]();
      this.#unlistenIfIdle();
      throw error;
    }
    const detach = () => {
      attached[Symbol.dispose]();
      this.#unlistenIfIdle();
    };
    return {
      [Symbol.dispose]: detach,
      [Symbol.asyncDispose]: async () => detach(),
    };
  }

  /**
   * Publishes `msg` to every subscriber of this exchange on every machine; resolves once
   * Redis has taken it (delivery, here too, follows as the message comes round). Rejects
   * with a TypeError naming the message when it cannot cross, publishing nothing.
   */
  async send(msg: M): Promise<void> {
    this.#checkOpen('send');
    const data = encodeRedisValue(msg, `RedisExchange(${JSON.stringify(this.name)}).send`, 'msg');
    await this.#connection.client.publish(this.#channel, data);
  }

  /** Detaches every subscriber and closes the connections this object opened. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    this.#listening = undefined;
    await this.#connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #listen(): Promise<void> {
    if (this.#local.size === 0) return Promise.resolve();
    this.#listening ??= this.#listener.start().catch((error: unknown) => {
      this.#listener.stop();
      this.#listening = undefined;
      throw error;
    });
    return this.#listening;
  }

  #unlistenIfIdle(): void {
    if (this.#local.size > 0 || this.#listening === undefined) return;
    this.#listening = undefined;
    this.#listener.stop();
  }

  #deliver(data: Buffer): void {
    let msg: M;
    try {
      msg = decodeRedisValue(data) as M;
    } catch (error) {
      process.emitWarning(
        `RedisExchange(${JSON.stringify(this.name)}): a message on ${this.#channel} could not be read (${String(error)}); was it sent by something other than weft?`,
      );
      return;
    }
    this.#local.send(msg).catch((error: unknown) => process.emitWarning(error as Error));
  }

  #report(error: unknown, subscriber: Subscriber<M>, msg: M): void {
    if (this.onError !== undefined) {
      this.onError(error, subscriber, msg);
      return;
    }
    const warning = error instanceof Error ? error : new Error(String(error));
    process.emitWarning(warning);
  }

  #checkOpen(call: string): void {
    if (this.#closed) {
      throw new RuntimeError(
        `RedisExchange(${JSON.stringify(this.name)}).${call}(): the object was closed; make a new RedisExchange`,
      );
    }
  }
}
