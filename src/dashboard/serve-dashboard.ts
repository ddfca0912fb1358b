/**
 * `serveDashboard`: the live dashboard of a Redis — its weft queues, task queues, workers and
 * dead letters — served over HTTP. This file only checks the options; the server and the
 * Redis reader load when it is called, so importing `weft/redis` costs nothing more.
 * @module
 */
import { describe, refuseUnknownOptions } from '../core/options.js';
import type { RedisConnectionOptions } from '../redis/connection.js';

/** The options of {@link serveDashboard}. */
export interface DashboardOptions extends RedisConnectionOptions {
  /** The TCP port (0: any free one; read the chosen one from `url`). */
  port: number;
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
 * Serves the dashboard of a Redis: every `RedisQueue` and `RedisExecutor` task queue on it
 * (waiting, in flight, rate over the last minute, oldest item), every worker (health, last
 * heartbeat, current task, done and failed) and the dead letters with a re-drive button,
 * updated live in the page. Resolves once Redis answers and the server listens; rejects with
 * `RedisUnavailableError` when Redis cannot be reached.
 *
 * @example
 * ```ts
 * import { serveDashboard } from 'weft/redis';
 *
 * await using dashboard = await serveDashboard({ port: 8080, redis: 'redis://127.0.0.1:6379' });
 * console.log(`open ${dashboard.url}`);
 * ```
 */
export async function serveDashboard(options: DashboardOptions): Promise<Dashboard> {
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
  const [{ RedisSource }, { DashboardServer }] = await Promise.all([
    import('./redis-source.js'),
    import('./dashboard-server.js'),
  ]);
  const source = new RedisSource({ redis: options.redis, connectTimeout: options.connectTimeout });
  try {
    await source.ready();
    const server = new DashboardServer(source, interval);
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
