/**
 * `serveDashboard`: the live dashboard over HTTP, of this program (its queues, executors and
 * pools) or of a Redis (its weft queues, task queues, workers and dead letters). This file
 * only checks the options; the server and the source load when it is called, and the Redis
 * reader (with ioredis) only when a Redis is asked for, so importing `weft` loads neither.
 * @module
 */
import { describe, refuseUnknownOptions } from '../core/options.js';
import type { RedisConnectionOptions } from '../redis/connection.js';
import type { DashboardScope, SnapshotSource } from './snapshot.js';

/**
 * The options of {@link serveDashboard}. `redis` is typed loosely (an `object`) so that
 * `weft`'s types never name ioredis's; anything but a URL or an ioredis client is a
 * TypeError at the call.
 */
export interface DashboardOptions {
  /** The TCP port (0: any free one; read the chosen one from `url`). */
  port: number;
  /**
   * The Redis to show: a `redis://` URL, or an ioredis client (used as it is, never closed).
   * Without it, `weft`'s `serveDashboard` shows this program.
   */
  redis?: string | object | undefined;
  /** How long the first connection to Redis may take (ms, default 5,000); only with `redis`. */
  connectTimeout?: number | undefined;
  /** The address to listen on (default `127.0.0.1`: this machine only). */
  host?: string | undefined;
  /** Ms between two looks while a page is open (default 1,000). */
  interval?: number | undefined;
}

/** A running dashboard. */
export interface Dashboard extends AsyncDisposable {
  /** The page's address, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** Ends the pages' event streams, stops the server and closes the connection it opened. */
  close(): Promise<void>;
}

const WHERE = 'serveDashboard(options)';
const KEYS = ['port', 'host', 'interval', 'redis', 'connectTimeout'];
/** The default ms between two looks. */
export const DEFAULT_DASHBOARD_INTERVAL_MS = 1_000;

/**
 * Serves the live dashboard. Without `redis`, of this program: every `Queue` (and kin),
 * `SharedQueue`, executor, `Pool`, `ThreadPool` and `TaskPool` made from now on and still
 * alive (waiting, in flight, rates over the last minute), and the executors' and pools'
 * workers (busy or idle, tasks done and failed). This dashboard never keeps the program
 * running: it ends with it. With `redis`, of that Redis: every `RedisQueue` and
 * `RedisExecutor` task queue on it, every worker and the dead letters with a re-drive button
 * (then it resolves once Redis answers, and rejects with `RedisUnavailableError` when it
 * cannot be reached). Resolves once the server listens.
 *
 * From `weft/redis`, `serveDashboard` takes the same options and always serves a Redis:
 * without `redis`, the one `WEFT_REDIS_URL` names, else `redis://127.0.0.1:6379`.
 *
 * @example
 * ```ts
 * import { Queue, serveDashboard } from 'weft';
 *
 * await using dashboard = await serveDashboard({ port: 8080 });
 * console.error(`open ${dashboard.url}`);
 * const jobs = new Queue<string>(100); // shown as `Queue 1 (maxsize 100)`
 * ```
 */
export function serveDashboard(options: DashboardOptions): Promise<Dashboard> {
  return openDashboard(options, 'program');
}

/**
 * @internal Serves the dashboard of a Redis when `options.redis` names one, else of
 * `fallback` (`weft`'s `serveDashboard`: this program; `weft/redis`'s: the default Redis).
 */
export async function openDashboard(
  options: DashboardOptions,
  fallback: DashboardScope,
): Promise<Dashboard> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${WHERE}: options must be an object like { port: 8080 }, got ${describe(options)}`,
    );
  }
  refuseUnknownOptions(options, KEYS, WHERE);
  const { port, host = '127.0.0.1', interval = DEFAULT_DASHBOARD_INTERVAL_MS } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(
      `${WHERE}: port must be an integer from 0 to 65535 (0: any free port), got ${describe(port)}`,
    );
  }
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(
      `${WHERE}: host must be a non-empty string like '127.0.0.1', got ${describe(host)}`,
    );
  }
  if (!(Number.isFinite(interval) && interval >= 100)) {
    throw new RangeError(
      `${WHERE}: interval must be a number of ms >= 100, got ${describe(interval)}`,
    );
  }
  const local = options.redis === undefined && fallback === 'program';
  if (local && options.connectTimeout !== undefined) {
    throw new TypeError(
      `${WHERE}: connectTimeout is for a Redis; give { redis } too, or drop connectTimeout`,
    );
  }
  const [source, { DashboardServer }] = await Promise.all([
    local ? localSource() : redisSource(options),
    import('./dashboard-server.js'),
  ]);
  try {
    // This program's dashboard watches it; it must not be what keeps it running.
    const server = new DashboardServer(source, interval, !local);
    const url = await server.listen(port, host);
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= server.close().finally(() => source.close());
      return closing;
    };
    return { url, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await source.close();
    throw error;
  }
}

async function localSource(): Promise<SnapshotSource> {
  const { LocalSource } = await import('./local-source.js');
  return new LocalSource();
}

/** A Redis source once Redis answers (closed again if it does not). */
async function redisSource(options: DashboardOptions): Promise<SnapshotSource> {
  const { RedisSource } = await import('./redis-source.js');
  // A value of another kind than RedisConnectionOptions takes is refused there, at the call.
  const redis = options.redis as RedisConnectionOptions['redis'];
  const source = new RedisSource({ redis, connectTimeout: options.connectTimeout });
  try {
    await source.ready();
  } catch (error) {
    await source.close();
    throw error;
  }
  return source;
}
