/**
 * The lease engine under `RedisQueue` and `RedisExecutor`: a Redis Stream with a consumer
 * group whose pending entries are leases.
 *
 * - {@link LeaseStream.add} appends an entry (refused when `maxsize` entries wait undelivered,
 *   or after a shutdown), in one Lua step.
 * - {@link LeaseStream.take} / {@link LeaseStream.read} hand entries to this reader, each
 *   under a lease: first entries given back, then entries whose lease ran out (their holder
 *   stopped renewing: it died, or its connection did), then new ones. A {@link Delivery}
 *   carries the entry's delivery count as its fencing `token`.
 * - While this reader holds a delivery, its lease is renewed every third of
 *   `visibilityTimeout` (one command for every held entry). A reader that dies stops
 *   renewing, and another reader takes its entries over once they have been idle for
 *   `visibilityTimeout`: delivery is at least once.
 * - {@link LeaseStream.ack} completes a delivery in one Lua step that first checks the entry
 *   is still pending for THIS reader with the same delivery count; else it throws a
 *   `LeaseLostError` and records nothing, so a reader whose lease was taken over never
 *   completes an entry another reader now holds.
 * - {@link LeaseStream.giveBack} returns a delivery that was never handed to the user (an
 *   aborted or timed-out get): it is first in line for the next read of any reader.
 *
 * The engine never reads then writes from the client: every change is one script.
 * @module
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { LeaseLostError } from '../errors.js';
import type { RedisConnection } from './connection.js';
import {
  ACK,
  ADD,
  FORGET_CONSUMERS,
  GIVE_BACK,
  RENEW,
  SHUT_DOWN,
  TAKE,
} from './lease-stream-scripts.js';
import {
  type AckResult,
  type Delivery,
  STREAM_SHUT_DOWN,
  type StreamMarks,
  type Taken,
} from './lease-stream-types.js';
import type { QueueEpoch } from './queue-epoch.js';
import type { LuaScript } from './scripts.js';
import { closedError, StreamChangeWait } from './stream-change-wait.js';

/**
 * The keys of the lease stream under `prefix`, in the order the engine's Lua (`LEASE_LUA`)
 * takes them as KEYS[1..4] (deleting them all deletes the stream).
 */
export function leaseStreamKeys(prefix: string): string[] {
  return [`${prefix}:stream`, `${prefix}:meta`, `${prefix}:gives`, `${prefix}:wake`];
}

/** The pub/sub channel of the lease stream under `prefix`. */
export function leaseStreamChannel(prefix: string): string {
  return `${prefix}:events`;
}

/** The most ids one renewal or give-back script receives (Lua's unpack has a limit). */
const BATCH = 500;

/**
 * A Redis Stream whose pending entries are leases. Readers of one stream share its entries;
 * each reader (one `LeaseStream` object) is one consumer of the group.
 *
 * @example
 * ```ts
 * const stream = new LeaseStream(connection, keyspace('queue', 'jobs', 'RedisQueue'), { visibilityTimeout: 30_000 });
 * await stream.add(Buffer.from('"job"'), { maxsize: 0 });
 * const got = await stream.read({ count: 1, block: 1_000 });
 * if (got !== STREAM_SHUT_DOWN) for (const delivery of got) await stream.ack(delivery);
 * ```
 */
export class LeaseStream {
  /** The key prefix (`weft:{kind:name}`); every key of the stream starts with it. */
  readonly prefix: string;
  /** This reader's consumer name in the group. */
  readonly consumer: string;
  /** The pub/sub channel the scripts publish `room`, `done`, `returned` and `shutdown` on. */
  readonly channel: string;
  /** How long an entry stays leased to a reader that stops renewing (ms). */
  readonly visibilityTimeout: number;
  readonly #connection: RedisConnection;
  readonly #keys: string[];
  readonly #epoch: QueueEpoch | undefined;
  /** The keys `add` passes: the engine's, then the epoch key when there is one. */
  readonly #addKeys: string[];
  readonly #sweepEvery: number;
  readonly #held = new Map<string, Delivery>();
  readonly #changeWait: StreamChangeWait;
  #renewal: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * `options.epoch`, when given, is the stream's epoch (queue-epoch.ts): every `add` reads it
   * (setting it when absent) in the same step as the entry it appends, and tells it the value.
   */
  constructor(
    connection: RedisConnection,
    prefix: string,
    options: { readonly visibilityTimeout: number; readonly epoch?: QueueEpoch | undefined },
  ) {
    this.#connection = connection;
    this.prefix = prefix;
    this.visibilityTimeout = Math.max(1, Math.round(options.visibilityTimeout));
    this.#sweepEvery = Math.max(10, Math.round(this.visibilityTimeout / 4));
    this.consumer = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    this.channel = leaseStreamChannel(prefix);
    this.#keys = leaseStreamKeys(prefix);
    this.#epoch = options.epoch;
    this.#addKeys = this.#epoch === undefined ? this.#keys : [...this.#keys, this.#epoch.key];
    this.#changeWait = new StreamChangeWait(connection, prefix, {
      stream: this.#keys[0]!,
      wake: this.#keys[3]!,
      sweepEvery: this.#sweepEvery,
    });
  }

  /**
   * Every key of the stream (deleting them all deletes the stream), in the order the engine's
   * Lua (`LEASE_LUA`) takes them as KEYS[1..4].
   */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** The deliveries this reader holds and has neither acknowledged nor given back, oldest first. */
  get held(): IterableIterator<Delivery> {
    return this.#held.values();
  }

  /** The longest a blocked read waits before it looks again for leases that ran out (ms). */
  get sweepEvery(): number {
    return this.#sweepEvery;
  }

  /**
   * Appends `payload`: its entry id, or `'full'` when `maxsize` (> 0) entries wait
   * undelivered (given-back entries included), or `'shutdown'` after a shutdown. Reads the
   * stream's epoch, when it has one, in the same step.
   */
  async add(
    payload: Buffer,
    { maxsize = 0 }: { maxsize?: number } = {},
  ): Promise<string | 'full' | 'shutdown'> {
    const client = await this.#client();
    const args: (string | number | Buffer)[] = [payload, maxsize, this.channel];
    if (this.#epoch !== undefined) args.push(this.#epoch.candidate());
    const [reply, epoch] = (await ADD.run(client, this.#addKeys, args)) as [unknown, unknown];
    if (epoch !== undefined) this.#epoch?.seen(String(epoch));
    if (reply === 0) return 'full';
    if (reply === -1) return 'shutdown';
    return String(reply);
  }

  /**
   * Takes up to `count` entries for this reader at once, without waiting: entries given
   * back first, then entries whose lease ran out, then new ones. Each is held (and renewed)
   * until `ack` or `giveBack`.
   */
  async take(count: number): Promise<Taken> {
    const client = await this.#client();
    const reply = (await TAKE.runBuffer(client, this.#keys, [
      this.consumer,
      count,
      this.visibilityTimeout,
      this.#sweepEvery,
      this.channel,
    ])) as (Buffer | number)[];
    const deliveries: Delivery[] = [];
    for (let i = 3; i < reply.length; i += 4) {
      const delivery: Delivery = {
        id: String(reply[i]),
        token: Number(reply[i + 1]),
        deliveries: Number(reply[i + 2]),
        payload: reply[i + 3] as Buffer,
      };
      deliveries.push(delivery);
      this.#held.set(delivery.id, delivery);
    }
    if (deliveries.length > 0) this.#startRenewal();
    if (this.#closed && deliveries.length > 0) {
      // Closed while the script ran: nothing may stay leased to a reader that is gone.
      await this.giveBack(deliveries);
      throw closedError(this.prefix);
    }
    return {
      deliveries,
      shutDown: reply[0] === 1,
      marks: { last: String(reply[1]), wake: String(reply[2]) },
    };
  }

  /**
   * Waits until the stream may have changed since `marks` (a new entry, an entry given back,
   * a shutdown), at most `ms`; takes nothing. An aborted `signal` rejects with its reason.
   * One wait at a time per reader.
   */
  waitForChange(marks: StreamMarks, ms: number, signal?: AbortSignal): Promise<void> {
    return this.#changeWait.wait(marks, ms, signal);
  }

  /**
   * Up to `count` deliveries, waiting at most `block` ms (`Infinity`: without a limit) when
   * there are none; `[]` when the wait ran out, {@link STREAM_SHUT_DOWN} once the stream is
   * shut down and nothing is left. An aborted `signal` rejects with its reason and gives back
   * whatever the read had taken.
   */
  async read({
    count = 1,
    block = 0,
    signal,
  }: {
    count?: number;
    block?: number;
    signal?: AbortSignal;
  } = {}): Promise<Delivery[] | typeof STREAM_SHUT_DOWN> {
    const deadline = performance.now() + block;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const taken = await this.take(count);
      if (taken.deliveries.length > 0) {
        if (!signal?.aborted) return taken.deliveries;
        await this.giveBack(taken.deliveries);
        throw signal.reason;
      }
      if (taken.shutDown) return STREAM_SHUT_DOWN;
      const left = deadline - performance.now();
      if (left <= 0) return [];
      await this.waitForChange(taken.marks, left, signal);
    }
  }

  /**
   * Completes `delivery` (the entry leaves the stream), storing `result` in the same step
   * when given. Throws a `LeaseLostError` when this reader no longer holds it with the same
   * token: its lease ran out and another reader took it over (or Redis lost it).
   */
  async ack(delivery: Delivery, result?: AckResult): Promise<void> {
    const client = await this.#client();
    const args: (string | number | Buffer)[] = [
      this.consumer,
      delivery.id,
      delivery.token,
      this.channel,
    ];
    if (result !== undefined)
      args.push(
        result.key,
        result.value,
        Math.max(1, Math.round(result.ttl)),
        result.channel ?? '',
      );
    const reply = await ACK.run(client, this.#keys, args);
    this.#forget(delivery);
    if (reply !== 1) {
      throw new LeaseLostError(
        `${this.prefix}: the lease on entry ${delivery.id} was lost before it was acknowledged ` +
          `(it was idle longer than visibilityTimeout ${this.visibilityTimeout} ms and another reader took it over, ` +
          'or Redis lost it); the work may be done again elsewhere. Raise visibilityTimeout if the work takes longer, ' +
          'or keep the event loop free so the lease is renewed.',
      );
    }
  }

  /**
   * Completes `deliveries` with `script`, a step built on `LEASE_LUA` that acknowledges each
   * with `ackHeld(ARGV[1], id, token)`, then `acked(ARGV[2])` — ARGV[3] is their count n,
   * ARGV[4..3+2n] their ids and tokens — and, in the same step, writes what it writes (its own keys follow the
   * engine's four, its own arguments the deliveries). The script returns one number per
   * delivery: 0 when that lease was lost (it must then have written nothing for it).
   * Resolves with those numbers. One script for many deliveries: a worker settles a burst
   * of tasks in one step.
   */
  async ackWith(
    deliveries: readonly Delivery[],
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
  ): Promise<number[]> {
    const client = await this.#client();
    const head: (string | number)[] = [this.consumer, this.channel, deliveries.length];
    for (const delivery of deliveries) head.push(delivery.id, delivery.token);
    try {
      return (await script.run(client, [...this.#keys, ...keys], [...head, ...args])) as number[];
    } finally {
      for (const delivery of deliveries) this.#forget(delivery);
    }
  }

  /**
   * Gives `deliveries` back: they are first in line for the next read of any reader (after
   * an immediate shutdown they are dropped and count as done). Those whose lease was lost
   * meanwhile are left to their new holder. Returns how many were given back.
   */
  async giveBack(deliveries: Delivery | readonly Delivery[]): Promise<number> {
    const list = Array.isArray(deliveries) ? deliveries : [deliveries as Delivery];
    if (list.length === 0) return 0;
    const client = this.#connection.client;
    let given = 0;
    for (let start = 0; start < list.length; start += BATCH) {
      const args: (string | number)[] = [this.consumer, this.channel];
      for (const delivery of list.slice(start, start + BATCH))
        args.push(delivery.id, delivery.token);
      given += Number(await GIVE_BACK.run(client, this.#keys, args));
    }
    for (const delivery of list) this.#forget(delivery);
    return given;
  }

  /**
   * Shuts the stream down for every reader and writer: `add` is refused from now on; reads
   * drain what is left (`immediate`: what nobody holds is dropped and counts as done).
   * Returns how many entries were dropped.
   */
  async shutdown(immediate: boolean): Promise<number> {
    const client = await this.#client();
    return Number(await SHUT_DOWN.run(client, this.#keys, [immediate ? 1 : 0, this.channel]));
  }

  /**
   * The counts: `undelivered` (entries no reader holds: new or given back), `unfinished`
   * (entries not yet acknowledged, held ones included) and whether it was shut down.
   */
  async counts(): Promise<{ undelivered: number; unfinished: number; shutDown: boolean }> {
    const client = await this.#client();
    const [[, state], [, length]] = (await client
      .multi()
      .hmget(this.#keys[1]!, 'ready', 'returned', 'shut')
      .xlen(this.#keys[0]!)
      .exec()) as [[unknown, (string | null)[]], [unknown, number]];
    return {
      undelivered: Number(state[0] ?? 0) + Number(state[1] ?? 0),
      unfinished: length,
      shutDown: state[2] !== null,
    };
  }

  /**
   * Gives back every delivery still held, stops renewing, closes the blocking connection and
   * removes this reader's name from the group (and those of readers long gone that held
   * nothing). The connection itself stays open (its owner closes it).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopRenewal();
    this.#changeWait.close();
    // Best effort: with Redis unreachable, the leases run out on their own instead (and
    // close() must not wait for Redis to come back).
    if (this.#connection.closed || this.#connection.client.status !== 'ready') return;
    try {
      await this.giveBack([...this.#held.values()]);
      const forgetAfter = Math.max(10 * this.visibilityTimeout, 60_000);
      await FORGET_CONSUMERS.run(this.#connection.client, this.#keys, [this.consumer, forgetAfter]);
    } catch {
      // Unreachable after all: as above.
    }
  }

  async #client(): Promise<Redis> {
    if (this.#closed) throw closedError(this.prefix);
    await this.#connection.ready();
    return this.#connection.client;
  }

  #forget(delivery: Delivery): void {
    if (this.#held.get(delivery.id) === delivery) this.#held.delete(delivery.id);
    if (this.#held.size === 0) this.#stopRenewal();
  }

  #startRenewal(): void {
    if (this.#renewal !== undefined) return;
    this.#renewal = setInterval(() => void this.#renew(), Math.max(1, this.visibilityTimeout / 3));
    // The lease lives only as long as the program does: it must not keep the program alive.
    this.#renewal.unref();
  }

  #stopRenewal(): void {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }

  async #renew(): Promise<void> {
    const held = [...this.#held.values()];
    const client = this.#connection.client;
    for (let start = 0; start < held.length; start += BATCH) {
      const args: (string | number)[] = [this.consumer];
      for (const delivery of held.slice(start, start + BATCH))
        args.push(delivery.id, delivery.token);
      try {
        const lost = (await RENEW.run(client, this.#keys, args)) as string[];
        // Stop renewing what another reader holds now; its ack will report the loss.
        for (const id of lost) {
          const delivery = this.#held.get(id);
          if (delivery !== undefined) this.#forget(delivery);
        }
      } catch {
        // Redis unreachable for now: the next renewal tries again (the lease may run out meanwhile).
      }
    }
  }
}
