/**
 * `RedisQueue<T>`: the `Queue` contract across processes and machines, on a Redis Stream
 * (lease-stream.ts). Every method returns a Promise (the handle form of the contract).
 *
 * Keys, all under `weft:{queue:NAME}`: the lease engine's (`…:stream`, `…:meta`, `…:gives`,
 * `…:wake`, channel `…:events`: the items) and `…:epoch` (queue-epoch.ts: a value the first
 * put or join sets; a new one means Redis lost the queue).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { refuseUnknownOptions, refuseWait, type WaitOptions } from '../core/options.js';
import { QueueEmpty, QueueFull, QueueShutDown, RuntimeError } from '../errors.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { keyspace } from './keys.js';
import { LeaseStream } from './lease-stream.js';
import type { Delivery } from './lease-stream-types.js';
import { Notifications } from './notifications.js';
import { epochKey, QueueEpoch } from './queue-epoch.js';
import { QueueGetters } from './queue-getters.js';
import { QueueJoiners } from './queue-joiners.js';
import { QueuePutters } from './queue-putters.js';
import { decodeRedisValue, encodeRedisValue } from './value-codec.js';

/** The options of a {@link RedisQueue}. */
export interface RedisQueueOptions extends RedisConnectionOptions {
  /** The most items that may wait undelivered (0, the default: no bound). Every client of the queue should use the same. */
  maxsize?: number | undefined;
  /**
   * How long an item this client got stays leased to it without renewal (ms, default
   * 30,000). The lease is renewed every third of it while this client lives; once it runs
   * out, another consumer takes the item over.
   */
  visibilityTimeout?: number | undefined;
}

const OPTION_KEYS = ['maxsize', 'visibilityTimeout', ...CONNECTION_OPTION_KEYS];

/** The default lease length (ms). */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;

/**
 * A FIFO queue in Redis that every process on every machine reaching that Redis shares by
 * its name. Delivery is at least once: an item a consumer got stays leased to it until its
 * `taskDone()`; if the consumer dies first, its lease runs out after `visibilityTimeout`
 * and the item goes to another consumer. A `taskDone()` whose lease was taken over rejects
 * with a `LeaseLostError`, so no live consumer completes an item twice.
 *
 * Counting: `qsize()` counts items nobody holds (new ones and ones given back); `maxsize`
 * bounds that count; `join()` waits until every item put was acknowledged, by whichever
 * client got it; `taskDone()` acknowledges the oldest item THIS object got and has not
 * acknowledged.
 *
 * @example
 * ```ts
 * import { RedisQueue } from 'weft/redis';
 * await using jobs = new RedisQueue<{ id: number }>('jobs', { maxsize: 100 });
 * await jobs.put({ id: 1 });
 * const job = await jobs.get({ timeout: 5_000 });
 * await handle(job);
 * await jobs.taskDone();
 * ```
 */
export class RedisQueue<T> implements AsyncIterable<T>, AsyncDisposable {
  /** The queue's name (shared by every client that uses it). */
  readonly name: string;
  /** The bound on undelivered items (0: none). */
  readonly maxsize: number;
  /** This client's lease length (ms). */
  readonly visibilityTimeout: number;
  readonly #where: string;
  readonly #connection: RedisConnection;
  readonly #stream: LeaseStream;
  readonly #notifications: Notifications;
  readonly #getters: QueueGetters<T>;
  readonly #putters: QueuePutters;
  readonly #epoch: QueueEpoch;
  readonly #joiners: QueueJoiners;
  /** Deliveries handed to this client's callers and not yet acknowledged, oldest first. */
  readonly #owed: Delivery[] = [];
  #shutDown = false;
  #closed = false;

  constructor(name: string, options: RedisQueueOptions = {}) {
    const where = `RedisQueue(${typeof name === 'string' ? JSON.stringify(name) : String(name)})`;
    const prefix = keyspace('queue', name, where);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `${where}: options must be an object like { maxsize, visibilityTimeout, redis }`,
      );
    }
    refuseUnknownOptions(options, OPTION_KEYS, where);
    const { maxsize = 0, visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT_MS } = options;
    if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize < 0) {
      throw new (typeof maxsize === 'number' ? RangeError : TypeError)(
        `${where}: maxsize must be a whole number >= 0 (0: no bound), got ${String(maxsize)}`,
      );
    }
    if (
      typeof visibilityTimeout !== 'number' ||
      !Number.isFinite(visibilityTimeout) ||
      visibilityTimeout < 10
    ) {
      throw new (typeof visibilityTimeout === 'number' ? RangeError : TypeError)(
        `${where}: visibilityTimeout must be a number of milliseconds >= 10, got ${String(visibilityTimeout)}`,
      );
    }
    this.name = name;
    this.maxsize = maxsize;
    this.visibilityTimeout = visibilityTimeout;
    this.#where = where;
    this.#connection = new RedisConnection(options, where);
    const owner = randomBytes(6).toString('base64url');
    this.#epoch = new QueueEpoch(epochKey(prefix), owner, () => this.#joiners.lost());
    this.#stream = new LeaseStream(this.#connection, prefix, {
      visibilityTimeout,
      epoch: this.#epoch,
    });
    this.#notifications = new Notifications(this.#connection, this.#stream.channel);
    const hooks = {
      where,
      maxsize,
      shutDown: () => this.#markShutDown(),
      closedError: () => (this.#closed ? this.#closedError() : undefined),
    };
    this.#getters = new QueueGetters<T>(this.#stream, {
      ...hooks,
      delivered: (delivery) => this.#owed.push(delivery),
    });
    this.#putters = new QueuePutters(this.#stream, this.#notifications, hooks);
    this.#joiners = new QueueJoiners(this.#connection, this.#stream.keys[0]!, this.#epoch, hooks);
    this.#notifications.listen((message) => {
      if (message === 'shutdown') this.#markShutDown();
      // `done`, `shutdown`, and `reconnected`: the look also reads the epoch, so a Redis
      // that came back empty rejects the joins instead of resolving them.
      if (message !== 'room' && message !== 'returned') this.#joiners.check();
    });
  }

  /** Whether the queue was shut down, as far as this client has seen (its own call or a reply). */
  get shutDown(): boolean {
    return this.#shutDown;
  }

  /** Puts `item`, waiting while the queue holds `maxsize` undelivered items. */
  async put(item: T, opts?: WaitOptions): Promise<void> {
    const refused = this.#refuse(opts, 'put');
    if (refused) return refused;
    const payload = encodeRedisValue(item, `${this.#where}.put`, 'the item');
    if (this.maxsize === 0 || opts?.timeout === 0) return this.#add(payload, opts?.timeout === 0);
    return this.#putters.put(payload, opts);
  }

  /** Puts `item` if there is room now; else rejects with `QueueFull`. */
  async putNowait(item: T): Promise<void> {
    if (this.#closed) throw this.#closedError();
    const payload = encodeRedisValue(item, `${this.#where}.putNowait`, 'the item');
    return this.#add(payload, true);
  }

  /** The next item, waiting for one (`QueueEmpty` on timeout; `QueueShutDown` once shut down and empty). */
  async get(opts?: WaitOptions): Promise<T> {
    const refused = this.#refuse(opts, 'get');
    if (refused) return refused;
    if (opts?.timeout === 0) return this.getNowait();
    return this.#getters.get(opts);
  }

  /** The next item if there is one now; else rejects with `QueueEmpty`. */
  async getNowait(): Promise<T> {
    if (this.#closed) throw this.#closedError();
    // Getters already waiting here come first.
    if (this.#getters.waiting > 0) throw this.#empty();
    const taken = await this.#stream.take(1);
    const delivery = taken.deliveries[0];
    if (taken.shutDown) this.#markShutDown();
    if (delivery === undefined) {
      if (taken.shutDown)
        throw new QueueShutDown(`${this.#where}: the queue was shut down and is empty`);
      throw this.#empty();
    }
    const item = decodeRedisValue(delivery.payload) as T;
    this.#owed.push(delivery);
    this.#putters.wake();
    return item;
  }

  /** Items nobody holds: put and not yet got, or given back. */
  async qsize(): Promise<number> {
    if (this.#closed) throw this.#closedError();
    const counts = await this.#stream.counts();
    if (counts.shutDown) this.#markShutDown();
    return counts.undelivered;
  }

  /** Whether `qsize()` is 0. */
  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0;
  }

  /** Whether `qsize()` has reached `maxsize` (never, without a bound). */
  async full(): Promise<boolean> {
    return this.maxsize > 0 && (await this.qsize()) >= this.maxsize;
  }

  /**
   * Acknowledges the oldest item this client got and has not acknowledged. Rejects with a
   * `LeaseLostError` when its lease was taken over (the item went to another consumer), and
   * with a `RuntimeError` when this client owes nothing.
   */
  async taskDone(): Promise<void> {
    if (this.#closed) throw this.#closedError();
    const delivery = this.#owed.shift();
    if (delivery === undefined) {
      throw new RuntimeError(
        `${this.#where}.taskDone() called more times than this client got items: ` +
          'each get() is matched by one taskDone() in the client that got the item',
      );
    }
    try {
      await this.#stream.ack(delivery);
    } finally {
      this.#joiners.check();
    }
  }

  /**
   * Waits until every item put (by any client) was acknowledged: `true`, or `false` when the
   * timeout ran out first.
   *
   * Rejects with a `QueueStateLostError` when, while it waits, this client notices that Redis
   * lost the queue — it restarted without persistence, or the queue's keys were deleted —
   * because the items it waited for were lost, not acknowledged. The queue's `…:epoch` key
   * tells: every put of this client and every look of its joins reads it in the same step
   * (a look is made as a join starts, on each `done` notification, and when the subscription
   * comes back after a reconnection), and a new value means the keys were made afresh. A
   * join whose own first look notices the loss rejects too; one made after the loss was
   * noticed counts what the new server holds. A partial loss that kept the key (an RDB
   * snapshot older than the crash, the last second of `appendfsync everysec`) is not noticed.
   */
  async join(opts?: WaitOptions): Promise<boolean> {
    const refused = this.#refuse(opts, 'join');
    if (refused) return refused;
    if (opts?.timeout === 0) return this.#joiners.now();
    await this.#notifications.ready();
    return this.#joiners.wait(opts);
  }

  /**
   * Shuts the queue down for every client: puts are refused from now on and waiting puts
   * reject with `QueueShutDown`; gets drain what is left, then reject. `immediate` drops the
   * items nobody holds (they count as done); items already got stay to be acknowledged.
   */
  async shutdown(immediate = false): Promise<void> {
    if (this.#closed) throw this.#closedError();
    await this.#stream.shutdown(immediate === true);
    this.#markShutDown();
    this.#getters.wake();
    this.#joiners.check();
  }

  /** Yields items until the queue is shut down and drained (call `taskDone()` for each). */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return;
        throw error;
      }
    }
  }

  /**
   * Releases what this client holds: items got and not acknowledged go back to the queue
   * (first in line for the next get of any client), waiting calls reject, and the
   * connections weft opened close. Later calls reject.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = this.#closedError();
    this.#getters.rejectAll(closed);
    this.#putters.rejectAll(closed);
    this.#joiners.rejectAll(closed);
    this.#owed.length = 0;
    this.#notifications.close();
    try {
      await this.#stream.close();
    } finally {
      await this.#connection.close();
    }
  }

  /**
   * Deletes the queue from Redis — its items, held or not, its shutdown flag and its epoch, for
   * every client — and closes this client. A queue of the same name made later starts empty
   * and open; a join waiting in another client rejects with `QueueStateLostError` once that
   * client notices (its items were deleted, not acknowledged).
   */
  async destroy(): Promise<void> {
    if (this.#closed) throw this.#closedError();
    await this.#connection.ready();
    await this.#connection.client.del(...this.#stream.keys, this.#epoch.key);
    await this.close();
  }

  /** `await using queue = new RedisQueue(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #add(payload: Buffer, nowait: boolean): Promise<void> {
    // Puts already waiting here for room come first.
    if (nowait && this.#putters.waiting > 0) throw this.#full();
    const added = await this.#stream.add(payload, { maxsize: this.maxsize });
    if (added === 'shutdown') {
      this.#markShutDown();
      throw new QueueShutDown(`${this.#where}: the queue was shut down`);
    }
    if (added === 'full') throw this.#full();
  }

  #refuse(opts: WaitOptions | undefined, method: string): Promise<never> | undefined {
    if (this.#closed) return Promise.reject(this.#closedError());
    return opts === undefined ? undefined : refuseWait(opts, `${this.#where}.${method}`);
  }

  #markShutDown(): void {
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.#putters.rejectAll(new QueueShutDown(`${this.#where}: the queue was shut down`));
  }

  #empty(): QueueEmpty {
    return new QueueEmpty(`${this.#where}: the queue is empty`);
  }

  #full(): QueueFull {
    return new QueueFull(
      `${this.#where}: the queue holds maxsize (${this.maxsize}) undelivered items`,
    );
  }

  #closedError(): RuntimeError {
    return new RuntimeError(
      `${this.#where} was closed; make a new RedisQueue to use the queue again`,
    );
  }
}
