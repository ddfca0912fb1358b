/**
 * A pub/sub channel an object listens to only while something of it waits: the lock's and
 * semaphore's waiters, an event's `wait`, an exchange with subscribers, a queue's
 * notifications (notifications.ts). The subscription is
 * counted; the last user gone, it is dropped, so a timed-out or aborted wait leaves none.
 * @module
 */
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';

/** What a listener does with what arrives. */
export interface ChannelHandlers {
  /** A message published on the channel. */
  message(data: Buffer): void;
  /**
   * The subscription came back after the connection dropped (a Redis restart, the network):
   * whatever was published meanwhile is lost, so re-read the state.
   */
  resubscribed(): void;
}

/** One object's subscription to one channel, held while `users` > 0. */
export class ChannelListener {
  #client: Redis | undefined;
  #users = 0;
  /** The subscribe or unsubscribe under way; the next change waits for it. */
  #change: Promise<void> = Promise.resolve();
  #subscribed = false;
  #closed = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly channel: string,
    private readonly handlers: ChannelHandlers,
  ) {}

  /** Whether the channel is subscribed now (for tests of "no subscription left"). */
  get subscribed(): boolean {
    return this.#subscribed;
  }

  /**
   * Counts one more user; resolves once the channel is subscribed, so that anything
   * published after that reaches `message`.
   */
  start(): Promise<void> {
    this.#users++;
    return this.#settle();
  }

  /** Counts one user less; the last one gone, the channel is unsubscribed. */
  stop(): void {
    if (this.#users === 0) return;
    this.#users--;
    if (this.#users === 0) this.#settle().catch(() => {});
  }

  /** Drops the subscription and the connection for good. */
  close(): void {
    this.#closed = true;
    this.#users = 0;
    this.#subscribed = false;
    if (this.#client !== undefined) this.connection.release(this.#client);
    this.#client = undefined;
  }

  /** Brings the subscription in line with the count, after any change under way. */
  #settle(): Promise<void> {
    this.#change = this.#change.then(
      () => this.#apply(),
      () => this.#apply(),
    );
    return this.#change;
  }

  async #apply(): Promise<void> {
    if (this.#closed) return;
    const wanted = this.#users > 0;
    if (wanted === this.#subscribed) return;
    const client = this.#client ?? (await this.#open());
    if (wanted) await client.subscribe(this.channel);
    else await client.unsubscribe(this.channel);
    this.#subscribed = wanted;
  }

  async #open(): Promise<Redis> {
    const client = await this.connection.blocking();
    if (this.#closed) {
      this.connection.release(client);
      throw new Error('the listener was closed');
    }
    client.on('messageBuffer', (channel: Buffer, data: Buffer) => {
      if (channel.toString() === this.channel) this.handlers.message(data);
    });
    client.on('ready', () => {
      // The first 'ready' came before `blocking()` resolved: each one heard here is a
      // reconnection. Subscribe again (ioredis would too; twice is harmless) and only once
      // that is confirmed tell the handlers, so a re-read cannot fall before the subscription.
      if (!this.#subscribed) return;
      client.subscribe(this.channel).then(
        () => this.handlers.resubscribed(),
        () => {},
      );
    });
    this.#client = client;
    return client;
  }
}
