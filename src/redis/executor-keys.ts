/**
 * The Redis keys of one task queue (`RedisExecutor` and `RedisWorker` with the same `queue`),
 * all under the hash tag `weft:{executor:NAME}`:
 *
 * | key | type | holds |
 * |---|---|---|
 * | `…:stream`, `…:meta`, `…:gives`, `…:wake`, `…:events` | lease engine | the tasks waiting or running (lease-stream.ts) |
 * | `…:delayed` | sorted set | task ids waiting for a retry, scored by when they are due (ms) |
 * | `…:retrying` | hash | task id → the task record of its next attempt |
 * | `…:dead` | hash | task id → dead letter (task, error, attempts, time) |
 * | `…:dead-index` | sorted set | task ids of the dead letters, scored by when they died (ms) |
 * | `…:cancelled` | sorted set | task ids cancelled while running or waiting for a retry, scored by when (ms) |
 * | `…:abort` | pub/sub channel | task ids to abort, heard by every worker |
 * | `…:results:CLIENT` | list | the outcomes for one executor client, read by its result reader |
 * | `…:epoch` | string | a random value set by the first submit: a new one means Redis lost the queue's data |
 * | `…:workers` | set | ids of the workers that started (the dashboard prunes ids whose heartbeat key is gone) |
 * | `…:worker:ID` | hash | one worker's heartbeat; expires when the worker stops beating |
 * @module
 */
import { keyspace } from './keys.js';
import { leaseStreamChannel, leaseStreamKeys } from './lease-stream.js';
import { epochKey } from './queue-epoch.js';

/** The keys of the task queue `queue`. */
export class ExecutorKeys {
  readonly prefix: string;
  /** The lease engine's keys (what scripts built on its Lua take first). */
  readonly lease: readonly string[];
  /** The lease engine's pub/sub channel. */
  readonly leaseChannel: string;
  readonly delayed: string;
  readonly retrying: string;
  readonly dead: string;
  readonly deadIndex: string;
  readonly cancelled: string;
  readonly abort: string;
  readonly workers: string;
  readonly epoch: string;

  constructor(
    readonly queue: string,
    where: string,
  ) {
    this.prefix = keyspace('executor', queue, where);
    this.lease = leaseStreamKeys(this.prefix);
    this.leaseChannel = leaseStreamChannel(this.prefix);
    this.delayed = `${this.prefix}:delayed`;
    this.retrying = `${this.prefix}:retrying`;
    this.dead = `${this.prefix}:dead`;
    this.deadIndex = `${this.prefix}:dead-index`;
    this.cancelled = `${this.prefix}:cancelled`;
    this.abort = `${this.prefix}:abort`;
    this.workers = `${this.prefix}:workers`;
    this.epoch = epochKey(this.prefix);
  }

  /** The results list of one executor client. */
  results(client: string): string {
    return `${this.prefix}:results:${client}`;
  }

  /** The heartbeat hash of one worker. */
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
}
