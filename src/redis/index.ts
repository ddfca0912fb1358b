/**
 * `weft/redis`: the machine scope. The same contracts as the task, thread and process scopes,
 * carried across machines by Redis (through ioredis). Importing `weft` never loads this
 * module or ioredis; import it from `weft/redis`.
 *
 * @example
 * ```ts
 * import { RedisQueue } from 'weft/redis';
 * const jobs = new RedisQueue<{ id: number }>('jobs', { redis: 'redis://127.0.0.1:6379' });
 * await jobs.put({ id: 1 });
 * ```
 * @module
 */

export {
  type Dashboard,
  type DashboardOptions,
  DEFAULT_DASHBOARD_INTERVAL_MS,
} from '../dashboard/serve-dashboard.js';
export {
  LeaseLostError,
  ModuleNotAllowedError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  QueueStateLostError,
  RedisUnavailableError,
  RuntimeError,
  TaskLostError,
} from '../errors.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REDIS_URL,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
export { type DeadLetter, RedisDeadLetters } from './dead-letters.js';
export { serveDashboard } from './redis-dashboard.js';
export { RedisEvent } from './redis-event.js';
export { RedisExchange, type RedisExchangeOptions } from './redis-exchange.js';
export {
  RedisExecutor,
  type RedisExecutorOptions,
  type RedisShutdownOptions,
  type RedisSubmitOptions,
} from './redis-executor.js';
export { DEFAULT_LEASE_MS, RedisLock, type RedisLockOptions } from './redis-lock.js';
export type { RedisMapOptions } from './redis-map.js';
export {
  DEFAULT_VISIBILITY_TIMEOUT_MS,
  RedisQueue,
  type RedisQueueOptions,
} from './redis-queue.js';
export { RedisSemaphore, type RedisSemaphoreOptions } from './redis-semaphore.js';
export { RedisWorker, type RedisWorkerOptions, type WorkerCloseOptions } from './redis-worker.js';
export { WORKER_MODES, type WorkerMode } from './task-runner.js';
