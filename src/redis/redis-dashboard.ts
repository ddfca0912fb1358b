/**
 * `serveDashboard` as `weft/redis` exports it: the dashboard of a Redis, always.
 * @module
 */
import {
  type Dashboard,
  type DashboardOptions,
  openDashboard,
} from '../dashboard/serve-dashboard.js';

/**
 * Serves the dashboard of a Redis: every `RedisQueue` and `RedisExecutor` task queue on it
 * (waiting, in flight, rate over the last minute, oldest item), every worker (health, last
 * heartbeat, current task, done and failed) and the dead letters with a re-drive button,
 * updated live in the page. Without `redis`, of the Redis `WEFT_REDIS_URL` names, else
 * `redis://127.0.0.1:6379`. Resolves once Redis answers and the server listens; rejects with
 * `RedisUnavailableError` when Redis cannot be reached.
 *
 * The same options as `serveDashboard` from `weft`, which serves this program's own queues
 * and pools unless given `redis`.
 *
 * @example
 * ```ts
 * import { serveDashboard } from 'weft/redis';
 *
 * await using dashboard = await serveDashboard({ port: 8080, redis: 'redis://127.0.0.1:6379' });
 * console.log(`open ${dashboard.url}`);
 * ```
 */
export function serveDashboard(options: DashboardOptions): Promise<Dashboard> {
  return openDashboard(options, 'redis');
}
