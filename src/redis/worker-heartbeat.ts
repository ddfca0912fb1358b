/**
 * A worker's heartbeat: the hash `weft:{executor:QUEUE}:worker:ID`, rewritten every beat
 * and set to expire after three beats, so it disappears when its worker dies; the worker's id
 * is in the set `…:workers` (the dashboard lists the ids and prunes those whose hash is
 * gone). Fields (all strings): `id`, `host`, `pid`, `queue`, `mode`, `concurrency`,
 * `started` and `heartbeat` (ms since the epoch), `state` (`running` or `closing`),
 * `current` (JSON: `[{ id, task, since }]` of the tasks running), `done` and `failed`
 * (attempts finished and failed since the start).
 * @module
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ExecutorKeys } from './executor-keys.js';

/** What a beat reports. */
export interface WorkerStatus {
  state: 'running' | 'closing';
  current: { id: string; task: string; since: number }[];
  done: number;
  failed: number;
}

/** @internal Beats for one worker until stopped. */
export class WorkerHeartbeat {
  #timer: NodeJS.Timeout | undefined;
  readonly #started = Date.now();

  constructor(
    private readonly client: Redis,
    private readonly keys: ExecutorKeys,
    readonly id: string,
    private readonly fixed: { mode: string; concurrency: number },
    private readonly interval: number,
    private readonly status: () => WorkerStatus,
  ) {}

  /** Writes the first beat, then one every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.#timer = setInterval(() => {
      this.beat().catch(() => undefined); // Redis away for a moment: the next beat says it
    }, this.interval);
    this.#timer.unref();
  }

  /** Writes the status now. */
  async beat(): Promise<void> {
    const status = this.status();
    const key = this.keys.worker(this.id);
    await this.client
      .multi()
      .hset(key, {
        id: this.id,
        host: hostname(),
        pid: process.pid,
        queue: this.keys.queue,
        mode: this.fixed.mode,
        concurrency: this.fixed.concurrency,
        started: this.#started,
        heartbeat: Date.now(),
        state: status.state,
        current: JSON.stringify(status.current),
        done: status.done,
        failed: status.failed,
      })
      .pexpire(key, this.interval * 3)
      .sadd(this.keys.workers, this.id)
      .exec();
  }

  /** Stops beating and removes the worker's hash and id. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.client
      .multi()
      .del(this.keys.worker(this.id))
      .srem(this.keys.workers, this.id)
      .exec();
  }
}
