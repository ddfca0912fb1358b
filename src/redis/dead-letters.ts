/**
 * `RedisDeadLetters` — the tasks of a queue that failed after their retries: listed with
 * their error (class, message, stack, fields), attempts and time; each can be put back
 * (`redrive`) or removed.
 * @module
 */
import { decodeError } from '../codec/error-codec.js';
import { describe, refuseUnknownOptions } from '../core/options.js';
import {
  CONNECTION_OPTION_KEYS,
  RedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { ExecutorKeys } from './executor-keys.js';
import { REDRIVE } from './executor-scripts.js';
import { packRecord, unpackRecord } from './redis-values.js';
import type { DeadLetterRecord } from './task-record.js';

/** One dead letter. */
export interface DeadLetter {
  /** The task's id (what `redrive` and `remove` take). */
  id: string;
  /** The function, as `module#name`. */
  task: string;
  /** The arguments, as they were stored (instances of portable classes as data). */
  args: unknown[];
  /** The error of the last attempt, rebuilt (class name, message, stack, fields). */
  error: unknown;
  /** Attempts made. */
  attempts: number;
  /** When the last attempt failed. */
  time: Date;
  /** The worker that ran the last attempt. */
  worker: string;
}

/**
 * The dead letters of the task queue `queue`, oldest first.
 *
 * @example
 * ```ts
 * const dead = new RedisDeadLetters('images', { redis });
 * for (const letter of await dead.list()) {
 *   console.log(letter.id, letter.task, (letter.error as Error).message);
 *   await dead.redrive(letter.id); // runs again, with its retries
 * }
 * ```
 */
export class RedisDeadLetters implements AsyncDisposable {
  readonly queue: string;
  readonly #keys: ExecutorKeys;
  readonly #connection: RedisConnection;

  constructor(queue: string, options: RedisConnectionOptions = {}) {
    const where = 'new RedisDeadLetters(queue, options)';
    this.#keys = new ExecutorKeys(queue, where);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `${where}: options must be an object like { redis }, got ${describe(options)}`,
      );
    }
    refuseUnknownOptions(options, CONNECTION_OPTION_KEYS, where);
    this.queue = queue;
    this.#connection = new RedisConnection(options, 'RedisDeadLetters');
  }

  /** How many dead letters there are. */
  async count(): Promise<number> {
    await this.#connection.ready();
    return this.#connection.client.zcard(this.#keys.deadIndex);
  }

  /** The dead letters, oldest first: `count` of them (default 100) from `offset` (default 0). */
  async list(options: { offset?: number; count?: number } = {}): Promise<DeadLetter[]> {
    const where = 'RedisDeadLetters.list(options)';
    refuseUnknownOptions(options, ['offset', 'count'], where);
    const { offset = 0, count = 100 } = options;
    for (const [name, value] of [
      ['offset', offset],
      ['count', count],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`${where}: ${name} must be an integer >= 0, got ${describe(value)}`);
      }
    }
    if (count === 0) return [];
    await this.#connection.ready();
    const client = this.#connection.client;
    const ids = await client.zrange(this.#keys.deadIndex, offset, offset + count - 1);
    if (ids.length === 0) return [];
    const stored = await client.hmgetBuffer(this.#keys.dead, ...ids);
    const letters: DeadLetter[] = [];
    for (let i = 0; i < ids.length; i++) {
      const data = stored[i];
      if (data) letters.push(toDeadLetter(ids[i]!, unpackRecord(data) as DeadLetterRecord));
    }
    return letters;
  }

  /** The dead letter of task `id`, or `undefined`. */
  async get(id: string): Promise<DeadLetter | undefined> {
    await this.#connection.ready();
    const data = await this.#connection.client.hgetBuffer(this.#keys.dead, id);
    return data === null ? undefined : toDeadLetter(id, unpackRecord(data) as DeadLetterRecord);
  }

  /**
   * Puts the task `id` back into the queue, with its retries anew; resolves with `true`, or
   * `false` when there is no such dead letter (re-driven or removed already). Its outcome goes
   * to the executor that submitted it, if that one still runs.
   */
  async redrive(id: string): Promise<boolean> {
    await this.#connection.ready();
    const client = this.#connection.client;
    for (;;) {
      const data = await client.hgetBuffer(this.#keys.dead, id);
      if (data === null) return false;
      const letter = unpackRecord(data) as DeadLetterRecord;
      const task = { ...letter.task, n: 0 };
      const k = this.#keys;
      const entry = await REDRIVE.run(
        client,
        [...k.lease, k.dead, k.deadIndex, k.cancelled],
        [id, data, packRecord(task)],
      );
      if (entry !== null) return true;
      // The letter changed between the read and the step (re-driven and failed again): read it again.
    }
  }

  /** Removes the dead letter of task `id`; resolves with whether there was one. */
  async remove(id: string): Promise<boolean> {
    await this.#connection.ready();
    const [[, removed]] = (await this.#connection.client
      .multi()
      .hdel(this.#keys.dead, id)
      .zrem(this.#keys.deadIndex, id)
      .exec()) as [[unknown, number], unknown];
    return removed === 1;
  }

  /** Closes the connection it opened (a client given as `{ redis }` stays open). */
  close(): Promise<void> {
    return this.#connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function toDeadLetter(id: string, record: DeadLetterRecord): DeadLetter {
  return {
    id,
    task: record.name,
    args: record.task.a,
    error: decodeError(record.error),
    attempts: record.attempts,
    time: new Date(record.time),
    worker: record.worker,
  };
}
