/**
 * The task queue on the lease engine (lease-stream.ts): an executor appends tasks, a worker
 * takes them as leases and settles each with a fenced step that also writes its outcome
 * (executor-scripts.ts). Nothing here is a lease of its own: reading, renewal, take-over and
 * giving back are the engine's. What happens in one turn of the event loop travels together:
 * a burst of submits is one script, and so are a burst of cancels and a burst of outcomes.
 * @module
 */
import type { RedisConnection } from './connection.js';
import type { ExecutorKeys } from './executor-keys.js';
import { CANCEL, SETTLE, SUBMIT } from './executor-scripts.js';
import { LeaseStream } from './lease-stream.js';
import { type Delivery, STREAM_SHUT_DOWN } from './lease-stream-types.js';
import type { QueueEpoch } from './queue-epoch.js';

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

/** Records or outcomes sent in one script, at most. */
const BURST = 500;

/** Told how the burst of an item went: its reply, or the error of the whole burst. */
export interface BurstReceiver<R> {
  answered(error: unknown, reply: R | undefined): void;
}

/**
 * @internal Collects what is sent in one turn and sends it in bursts of `BURST`; each item's
 * receiver is told how its burst went (an object, not a closure per item), then `onAnswered`
 * with how many items that burst held.
 */
class Bursts<T, R> {
  #items: T[] = [];
  #receivers: BurstReceiver<R>[] = [];
  readonly #flushBound = () => this.#flush();

  constructor(
    private readonly send: (items: T[]) => Promise<R[]>,
    private readonly onAnswered: (count: number) => void = ignoreCount,
  ) {}

  /** Sends `item` with the others of this turn; `receiver` is told how it went. */
  push(item: T, receiver: BurstReceiver<R>): void {
    if (this.#items.push(item) === 1) queueMicrotask(this.#flushBound);
    this.#receivers.push(receiver);
  }

  #flush(): void {
    const items = this.#items;
    const receivers = this.#receivers;
    this.#items = [];
    this.#receivers = [];
    for (let start = 0; start < items.length; start += BURST) {
      const end = Math.min(items.length, start + BURST);
      const burst = start === 0 && end === items.length ? items : items.slice(start, end);
      this.send(burst).then(
        (replies) => {
          for (let i = start; i < end; i++) receivers[i]!.answered(undefined, replies[i - start]);
          this.onAnswered(end - start);
        },
        (error: unknown) => {
          for (let i = start; i < end; i++) receivers[i]!.answered(error, undefined);
          this.onAnswered(end - start);
        },
      );
    }
  }
}

function ignoreCount(_count: number): void {}

/** A receiver for items whose answer nobody reads. */
const UNREAD: BurstReceiver<unknown> = { answered() {} };

/** @internal The executor's side: appending tasks and cancelling them. */
export class TaskStream {
  readonly #submits: Bursts<string | Buffer, string>;
  readonly #cancels: Bursts<readonly [entry: string, id: string], unknown>;
  /** Submits and cancels sent and not yet answered. */
  #unanswered = 0;
  #answered: (() => void) | undefined;
  readonly #answer = (count: number) => {
    this.#unanswered -= count;
    if (this.#unanswered === 0) this.#answered?.();
  };

  /**
   * `epoch` is told the queue's epoch each submit step reads, before the entry ids of that
   * step are handed out.
   */
  constructor(connection: RedisConnection, keys: ExecutorKeys, epoch: QueueEpoch) {
    const submitKeys = [...keys.lease, keys.epoch];
    this.#submits = new Bursts(async (records) => {
      await connection.ready();
      const args: (string | Buffer)[] = [epoch.candidate()];
      for (const record of records) args.push(record);
      const reply = (await SUBMIT.run(connection.client, submitKeys, args)) as string[];
      epoch.seen(reply[records.length]!);
      return reply; // the ids, then the epoch (past the burst's end)
    }, this.#answer);
    const cancelKeys = [...keys.lease, keys.delayed, keys.retrying, keys.cancelled];
    this.#cancels = new Bursts(async (tasks) => {
      await connection.ready();
      const args = [keys.abort, keys.leaseChannel];
      for (const [entry, id] of tasks) args.push(entry, id);
      await CANCEL.run(connection.client, cancelKeys, args);
      return [] as unknown[];
    }, this.#answer);
  }

  /**
   * Appends a task record (with the others of this turn, in one step); `receiver` gets its
   * entry id (before `settled()` counts it answered: it may send a cancel, waited for too).
   */
  add(record: string | Buffer, receiver: BurstReceiver<string>): void {
    this.#unanswered++;
    this.#submits.push(record, receiver);
  }

  /**
   * Cancels the task `id` whose first attempt is the entry `entry` (with the others of this
   * turn, in one step): removed if it waits, else announced to the workers.
   */
  cancel(entry: string, id: string): void {
    this.#unanswered++;
    this.#cancels.push([entry, id], UNREAD);
  }

  /** Resolves once every submit and cancel sent was answered (or failed). */
  settled(): Promise<void> {
    if (this.#unanswered === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#answered = resolve;
    });
  }
}

/** @internal A worker's side: taking tasks under leases and settling them. */
export class TaskLeases {
  readonly #settlements: Bursts<Settlement, number>;
  private readonly stream: LeaseStream;

  constructor(
    connection: RedisConnection,
    private readonly keys: ExecutorKeys,
    visibilityTimeout: number,
    resultsTtl: number,
  ) {
    this.stream = new LeaseStream(connection, keys.prefix, { visibilityTimeout });
    this.#settlements = new Bursts((burst) => this.#settle(burst, resultsTtl));
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

  /** Writes `settlement` with the fenced acknowledgement (with the others of this turn, in one step); `receiver` gets 1, or 0 when the lease was lost (nothing written). */
  settle(settlement: Settlement, receiver: BurstReceiver<number>): void {
    this.#settlements.push(settlement, receiver);
  }

  /** Gives tasks back to the queue, first in line for any worker. */
  giveBack(deliveries: readonly TaskDelivery[]): Promise<number> {
    return this.stream.giveBack(deliveries);
  }

  /** Gives back what is still held and stops renewing. */
  close(): Promise<void> {
    return this.stream.close();
  }

  #settle(burst: Settlement[], resultsTtl: number): Promise<number[]> {
    const k = this.keys;
    const keys = [k.delayed, k.retrying, k.dead, k.deadIndex];
    const lists = new Map<string, number>();
    const args: (string | number | Buffer)[] = [resultsTtl];
    const listOf = (results: string | undefined): number => {
      if (results === undefined || results === '') return 0;
      let list = lists.get(results);
      if (list === undefined) {
        keys.push(results);
        list = keys.length + this.stream.keys.length; // its 1-based KEYS index
        lists.set(results, list);
      }
      return list;
    };
    // Only what each kind needs (executor-scripts.ts, SETTLE).
    for (const { kind, id, results, outcome, delay = 0, next = '' } of burst) {
      if (kind === 'result') args.push('r', listOf(results), outcome);
      else if (kind === 'dead') args.push('d', listOf(results), outcome, id, next);
      else if (kind === 'retry') args.push('t', id, delay, next);
      else args.push('x');
    }
    return this.stream.ackWith(
      burst.map((settlement) => settlement.delivery),
      SETTLE,
      keys,
      args,
    );
  }
}
