/**
 * The task queue on the lease engine (lease-stream.ts): an executor appends tasks, a worker
 * takes them as leases and settles each with one fenced step that also writes its outcome
 * (executor-scripts.ts). Nothing here is a lease of its own: reading, renewal, take-over and
 * giving back are the engine's.
 * @module
 */
import type { RedisConnection } from './connection.js';
import type { ExecutorKeys } from './executor-keys.js';
import { SETTLE } from './executor-scripts.js';
import { type Delivery, LeaseStream, STREAM_SHUT_DOWN } from './lease-stream.js';

/** A task as a worker holds it. */
export type TaskDelivery = Delivery;

/** An outcome to write with the acknowledgement of a delivery. */
export interface Settlement {
  readonly delivery: TaskDelivery;
  /** `result`: push `outcome` to `results`; `retry`: keep `next` for a retry after `delay` ms; `dead`: keep `next` as a dead letter and push `outcome`; `drop`: only acknowledge. */
  readonly kind: 'result' | 'retry' | 'dead' | 'drop';
  readonly id: string;
  readonly results?: string;
  readonly outcome: Buffer | string;
  readonly delay?: number;
  readonly next?: Buffer | string;
}

/** @internal The executor's side: appending tasks. */
export class TaskStream {
  readonly #stream: LeaseStream;
  readonly #writing = new Map<string, Promise<string>>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ExecutorKeys,
  ) {
    this.#stream = new LeaseStream(connection, keys.prefix, { visibilityTimeout: 30_000 });
  }

  /** The lease engine's keys (what scripts built on its Lua take first). */
  get leaseKeys(): readonly string[] {
    return this.#stream.keys;
  }

  /** The lease engine's pub/sub channel. */
  get channel(): string {
    return this.#stream.channel;
  }

  /** Appends the task `id`; resolves with its entry id. */
  add(id: string, payload: Buffer): Promise<string> {
    const writing = this.#stream.add(payload).then((entry) => {
      this.#writing.delete(id);
      if (entry === 'full' || entry === 'shutdown') {
        throw new Error(`the task queue ${this.keys.queue} refused the task (${entry})`);
      }
      return entry;
    });
    this.#writing.set(id, writing);
    writing.catch(() => this.#writing.delete(id));
    return writing;
  }

  /** The entry id of task `id` while its submit is being written, else `undefined`. */
  written(id: string): Promise<string> | undefined {
    return this.#writing.get(id);
  }

  /** Resolves once every submit was written (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#writing.values()]);
  }

  /** A reader of the tasks, for a worker. */
  leases(visibilityTimeout: number): TaskLeases {
    return new TaskLeases(
      new LeaseStream(this.connection, this.keys.prefix, { visibilityTimeout }),
      this.keys,
    );
  }
}

/** @internal A worker's side: taking tasks under leases and settling them. */
export class TaskLeases {
  constructor(
    private readonly stream: LeaseStream,
    private readonly keys: ExecutorKeys,
  ) {}

  /** The lease engine's keys. */
  get leaseKeys(): readonly string[] {
    return this.stream.keys;
  }

  /** Up to `count` tasks, waiting at most `block` ms. */
  async read(options: {
    count: number;
    block: number;
    signal: AbortSignal;
  }): Promise<TaskDelivery[]> {
    const got = await this.stream.read(options);
    return got === STREAM_SHUT_DOWN ? [] : got;
  }

  /** Writes `settlement` with the fenced acknowledgement; `false` when the lease was lost (nothing written). */
  async settle(settlement: Settlement, resultsTtl: number): Promise<boolean> {
    const k = this.keys;
    const { kind, id, results = '', outcome, delay = 0, next = '' } = settlement;
    return this.stream.ackWith(
      settlement.delivery,
      SETTLE,
      [results || k.delayed, k.delayed, k.retrying, k.dead, k.deadIndex],
      [kind, id, outcome, resultsTtl, delay, next],
    );
  }

  /** Gives tasks back to the queue, first in line for any worker. */
  giveBack(deliveries: readonly TaskDelivery[]): Promise<number> {
    return this.stream.giveBack(deliveries);
  }

  /** Gives back what is still held and stops renewing. */
  close(): Promise<void> {
    return this.stream.close();
  }
}
