/**
 * The notifications of a Redis-scope queue: its channel (channel-listener.ts), subscribed
 * when something first waits for a notification (a put into a full queue, a join) and kept
 * until `close()`, with every listener of the object on it. Notifications only say "look
 * again": a waiter always re-checks the state in Redis, so a message lost while the
 * connection was down costs nothing — listeners also hear `reconnected` once the
 * subscription is back.
 * @module
 */
import { ChannelListener } from './channel-listener.js';
import type { RedisConnection } from './connection.js';

/** What a listener hears: a message published on the channel, or `reconnected`. */
export type NotificationListener = (message: string) => void;

/** The subscription of one object to its channel. */
export class Notifications {
  readonly #listeners = new Set<NotificationListener>();
  readonly #channel: ChannelListener;
  #subscribed: Promise<void> | undefined;

  constructor(connection: RedisConnection, channel: string) {
    this.#channel = new ChannelListener(connection, channel, {
      message: (data) => this.#tell(data.toString()),
      resubscribed: () => this.#tell('reconnected'),
    });
  }

  /** Adds `listener`; the returned function removes it. */
  listen(listener: NotificationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the channel is subscribed (from then on, no message published is missed). */
  ready(): Promise<void> {
    this.#subscribed ??= this.#channel.start().catch((error: unknown) => {
      this.#channel.stop();
      this.#subscribed = undefined;
      throw error;
    });
    return this.#subscribed;
  }

  /** Closes the subscribed connection. */
  close(): void {
    this.#channel.close();
  }

  #tell(message: string): void {
    for (const listener of [...this.#listeners]) listener(message);
  }
}
