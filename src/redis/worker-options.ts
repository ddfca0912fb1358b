/**
 * The options of `RedisWorker`, checked at the constructor: a clear error naming what is
 * wrong, unknown keys refused.
 * @module
 */
import { describe, refuseUnknownOptions } from '../core/options.js';
import { CONNECTION_OPTION_KEYS, type RedisConnectionOptions } from './connection.js';
import { ExecutorKeys } from './executor-keys.js';
import { ModuleAllowList } from './module-allow-list.js';
import { WORKER_MODES, type WorkerMode } from './task-runner.js';

/** Options of `new RedisWorker()`. */
export interface RedisWorkerOptions extends RedisConnectionOptions {
  /** The task queue to run (the executors' `queue`). */
  queue: string;
  /** The modules whose portable exports the worker may run: paths (from the working directory) or URLs. */
  modules: readonly string[];
  /** Tasks run at once (default 1). */
  concurrency?: number | undefined;
  /** Ms a task's lease lasts without renewal: a worker that dies leaves its tasks to another after this (default 30,000; renewed every third of it). */
  visibilityTimeout?: number | undefined;
  /** Where tasks run: `'tasks'` (green tasks here, default), `'threads'` or `'processes'` (weft's local pools). */
  mode?: WorkerMode | undefined;
  /** Ms between two heartbeats (default 2,000); the heartbeat key expires after three. */
  heartbeatInterval?: number | undefined;
}

/** Options of `close`. */
export interface WorkerCloseOptions {
  /** Ms the tasks running may take to finish (default 30,000); then they are aborted and given back to the queue. */
  timeout?: number | undefined;
}

const OPTION_KEYS = [
  'queue',
  'modules',
  'concurrency',
  'visibilityTimeout',
  'mode',
  'heartbeatInterval',
  ...CONNECTION_OPTION_KEYS,
];

/** The options of a worker, checked, with their defaults. */
export interface WorkerSettings {
  readonly queue: string;
  readonly keys: ExecutorKeys;
  readonly allowList: ModuleAllowList;
  readonly concurrency: number;
  readonly mode: WorkerMode;
  readonly visibilityTimeout: number;
  readonly heartbeatInterval: number;
}

/** Checks `options` (throws a TypeError or RangeError naming the problem) and fills in the defaults. */
export function workerSettings(options: RedisWorkerOptions, where: string): WorkerSettings {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${where}: options must be an object like { queue, modules }, got ${describe(options)}`,
    );
  }
  refuseUnknownOptions(options, OPTION_KEYS, where);
  const keys = new ExecutorKeys(options.queue, where);
  const mode = options.mode ?? 'tasks';
  if (!WORKER_MODES.includes(mode)) {
    throw new TypeError(
      `${where}: mode must be one of ${WORKER_MODES.join(', ')}, got ${describe(mode)}`,
    );
  }
  return {
    queue: options.queue,
    keys,
    allowList: new ModuleAllowList(options.modules, where),
    concurrency: positiveInteger(options.concurrency, 1, 'concurrency', where),
    mode,
    visibilityTimeout: positiveMs(options.visibilityTimeout, 30_000, 'visibilityTimeout', where),
    heartbeatInterval: positiveMs(options.heartbeatInterval, 2_000, 'heartbeatInterval', where),
  };
}

function positiveInteger(value: unknown, fallback: number, option: string, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `${where}: ${option} must be an integer greater than 0, got ${describe(value)}`,
    );
  }
  return value;
}

function positiveMs(value: unknown, fallback: number, option: string, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `${where}: ${option} must be a positive number of ms, got ${describe(value)}`,
    );
  }
  return value;
}
