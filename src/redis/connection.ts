/**
 * How every `weft/redis` object reaches Redis: from `{ redis }` (an ioredis client the
 * caller owns, or a URL weft opens and closes itself), else `WEFT_REDIS_URL`, else
 * `redis://127.0.0.1:6379`.
 *
 * The first command of an object waits for the connection; if Redis cannot be reached within
 * `connectTimeout`, it fails with a {@link RedisUnavailableError} that names the address and
 * what to start. After that, ioredis reconnects on its own and holds commands until it has
 * (weft's own connections never give a command up after a number of retries), so a Redis
 * restart delays work and loses none.
 * @module
 */
import { Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';

/** The default address when neither `{ redis }` nor `WEFT_REDIS_URL` names one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long a first connection may take before it is reported unreachable (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** The connection options every `weft/redis` object takes. */
export interface RedisConnectionOptions {
  /**
   * An ioredis client (used as it is and never closed by weft) or a `redis://` URL (weft opens
   * its own connections and closes them on `close()`). Default: `WEFT_REDIS_URL`, else
   * `redis://127.0.0.1:6379`.
   */
  redis?: Redis | string | undefined;
  /** How long the first connection may take before calls fail with `RedisUnavailableError` (ms, default 5,000). */
  connectTimeout?: number | undefined;
}

/** The option keys of {@link RedisConnectionOptions}, for the unknown-key checks of each object. */
export const CONNECTION_OPTION_KEYS = ['redis', 'connectTimeout'] as const;

/**
 * One object's way to Redis: `client` for plain commands (auto-pipelined), and `blocking()`
 * for connections a blocking command or a subscription may hold alone. `close()` quits only
 * the connections weft opened.
 */
export class RedisConnection {
  /** The client for plain commands. */
  readonly client: Redis;
  /** The address, for messages. */
  readonly address: string;
  readonly #owned: boolean;
  readonly #connectTimeout: number;
  readonly #extra = new Set<Redis>();
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(options: RedisConnectionOptions = {}, owner = 'weft/redis') {
    const { redis, connectTimeout = DEFAULT_CONNECT_TIMEOUT_MS } = options;
    if (!(Number.isFinite(connectTimeout) && connectTimeout > 0)) {
      throw new RangeError(
        `${owner}: connectTimeout must be a positive number of milliseconds, got ${String(connectTimeout)}`,
      );
    }
    this.#connectTimeout = connectTimeout;
    if (redis instanceof Redis) {
      this.client = redis;
      this.#owned = false;
      this.address = describeClient(redis);
      return;
    }
    if (redis !== undefined && typeof redis !== 'string') {
      throw new TypeError(
        `${owner}: { redis } must be an ioredis client or a redis:// URL, got ${describeValue(redis)}`,
      );
    }
    const url = redis ?? process.env.WEFT_REDIS_URL ?? DEFAULT_REDIS_URL;
    if (!/^rediss?:\/\//.test(url)) {
      throw new TypeError(
        `${owner}: the Redis URL must start with redis:// or rediss://, got ${JSON.stringify(url)}`,
      );
    }
    this.address = url;
    this.#owned = true;
    this.client = openClient(url);
  }

  /**
   * Resolves once the client has connected (at once when it already has); rejects with a
   * `RedisUnavailableError` when it could not within `connectTimeout`.
   */
  ready(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(this.address));
    this.#ready ??= this.#firstConnection(this.client);
    return this.#ready;
  }

  /**
   * A connection of its own for a blocking command or a subscription (ioredis runs one
   * command at a time on a connection that blocks), connected, closed by `close()` or by
   * {@link RedisConnection.release}.
   */
  async blocking(): Promise<Redis> {
    await this.ready();
    if (this.#closed) throw closedError(this.address);
    const client = this.client.duplicate({
      enableAutoPipelining: false,
      maxRetriesPerRequest: null,
    });
    client.on('error', ignoreError);
    this.#extra.add(client);
    try {
      await this.#firstConnection(client);
    } catch (error) {
      this.release(client);
      throw error;
    }
    return client;
  }

  /** Closes a connection `blocking()` gave. */
  release(client: Redis): void {
    if (!this.#extra.delete(client)) return;
    client.disconnect();
  }

  /**
   * Runs `work` while the client is connected: resolves once it is done (or failed), at once
   * when the client is not connected, and as soon as the connection drops — for a close that
   * must not wait for Redis to come back.
   */
  whileConnected(work: () => Promise<unknown>): Promise<void> {
    const client = this.client;
    if (client.status !== 'ready') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        client.off('close', done);
        resolve();
      };
      client.on('close', done);
      work().then(done, done);
    });
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Quits the connections weft opened (the caller's own client stays open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#extra) client.disconnect();
    this.#extra.clear();
    if (!this.#owned) return;
    if (this.client.status === 'end') return;
    const ended = new Promise((resolve) => this.client.once('end', resolve));
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
    await ended;
  }

  #firstConnection(client: Redis): Promise<void> {
    if (client.status === 'ready') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let lastError: Error | undefined;
      const onReady = () => {
        done();
        resolve();
      };
      const onError = (error: Error) => {
        lastError = error;
      };
      const onEnd = () => {
        done();
        reject(unreachable(this.address, lastError, 'the connection was closed'));
      };
      const timer = setTimeout(() => {
        done();
        reject(
          unreachable(this.address, lastError, `no connection within ${this.#connectTimeout} ms`),
        );
      }, this.#connectTimeout);
      const done = () => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        client.off('end', onEnd);
      };
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('end', onEnd);
      if (client.status === 'wait') client.connect().catch(() => {});
    });
  }
}

function openClient(url: string): Redis {
  const client = new Redis(url, {
    // Commands wait for a reconnection instead of failing after a count of retries: a Redis
    // restart must delay work, not lose it. Calls still end by their own timeout or signal.
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  });
  // ioredis reports every failed attempt as an 'error' event; unheard, Node would throw it.
  client.on('error', ignoreError);
  return client;
}

function ignoreError(): void {}

function describeClient(client: Redis): string {
  const { host, port, path } = client.options;
  return path ? `unix:${path}` : `redis://${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no class'})`;
  return `${typeof value} ${String(value)}`;
}

function unreachable(
  address: string,
  cause: Error | undefined,
  what: string,
): RedisUnavailableError {
  const port = /:(\d+)\/?/.exec(address.replace(/^rediss?:\/\/[^@]*@/, 'redis://'))?.[1] ?? '6379';
  const reason = cause ? `${what}; last error: ${cause.message}` : what;
  return new RedisUnavailableError(
    `weft/redis cannot reach Redis at ${address} (${reason}). Start a server there ` +
      `(e.g. \`redis-server --port ${port}\`), or pass { redis: 'redis://host:port' } or set WEFT_REDIS_URL to one that runs.`,
    cause ? { cause } : undefined,
  );
}

function closedError(address: string): RedisUnavailableError {
  return new RedisUnavailableError(
    `weft/redis: this object's connection to ${address} was closed by close()`,
  );
}
