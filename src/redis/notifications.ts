/**
 * The pub/sub side of a Redis-scope object: one subscribed connection per object, opened
 * when something first waits for a notification (a put into a full queue, a join), and
 * every listener of the object on it. Notifications only say "look again": a waiter always
 * re-checks the state in Redis, so a message lost while the connection was down costs
 * nothing — listeners also hear `reconnected` once the subscription is back.
 * @module
 */
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';

/** What a listener hears: a message published on the channel, or `reconnected`. */
export type NotificationListener = (message: string) => void;

/** The subscription of one object to its channel. */
export class Notifications {
  readonly #connection: RedisConnection;
  readonly #channel: string;
  readonly #listeners = new Set<NotificationListener>();
  #subscribed: Promise<Redis> | undefined;
  #closed = false;

  constructor(connection: RedisConnection, channel: string) {
    this.#connection = connection;
    this.#channel = channel;
  }

  /** Adds `listener`; the returned function removes it. */
  listen(listener: NotificationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the channel is subscribed (from then on, no message published is missed). */
  async ready(): Promise<void> {
    this.#subscribed ??= this.#subscribe();
    try {
      await this.#subscribed;
    } catch (error) {
      this.#subscribed = undefined;
      throw error;
    }
  }

  /** Closes the subscribed connection. */
  close(): void {
    this.#closed = true;
    const subscribed = this.#subscribed;
    this.#subscribed = undefined;
    subscribed?.then(
      (client) => this.#connection.release(client),
      () => {},
    );
  }

  async #subscribe(): Promise<Redis> {
    const client = await this.#connection.blocking();
    if (this.#closed) {
      this.#connection.release(client);
      throw new Error('closed');
    }
    client.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#tell(message);
    });
    client.on('ready', () => {
      // A reconnection (the first 'ready' came before blocking() returned): ioredis subscribes again on its own; once that is confirmed, waiters look again.
      client.subscribe(this.#channel).then(
        () => this.#tell('reconnected'),
        () => {},
      );
    });
    await client.subscribe(this.#channel);
    return client;
  }

  #tell(message: string): void {
    for (const listener of [...this.#listeners]) listener(message);
  }
}
