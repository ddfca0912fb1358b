/**
 * The getters of one `RedisQueue` object waiting in this process, served in the order they
 * started waiting by one reader loop: it takes as many entries as there are getters in one
 * script, hands them out oldest first, and when there were none waits on its blocking
 * connection until the stream changes (a put, an item given back, a shutdown — or, at the
 * latest, until it is time to look for leases that ran out).
 *
 * A getter that times out or is aborted while a take is on its way to Redis is settled only
 * once that take has come back and any item it brought for it was given back: the caller
 * sees its rejection after the queue is as it was.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueEmpty, QueueShutDown } from '../errors.js';
import type { LeaseStream } from './lease-stream.js';
import type { Delivery } from './lease-stream-types.js';
import { LocalWaiter } from './local-waiter.js';
import { decodeRedisValue } from './value-codec.js';

/** How a getter list reports to its queue. */
export interface GetterHooks {
  /** `delivery` is about to go to a getter: the queue now owes its acknowledgement. */
  delivered(delivery: Delivery): void;
  /** A reply said the queue was shut down. */
  shutDown(): void;
  /** The error for calls after `close()`, or `undefined` while open. */
  closedError(): Error | undefined;
  /** The queue's name for messages. */
  readonly where: string;
}

/** The waiting getters of one queue object and the loop that serves them. */
export class QueueGetters<T> {
  readonly #stream: LeaseStream;
  readonly #hooks: GetterHooks;
  #list: LocalWaiter<T>[] = [];
  #pumping = false;
  #taking = false;

  constructor(stream: LeaseStream, hooks: GetterHooks) {
    this.#stream = stream;
    this.#hooks = hooks;
  }

  /** How many getters wait here. */
  get waiting(): number {
    return this.#list.length;
  }

  /** Parks a getter (options already checked; the timeout is not 0) and serves it in turn. */
  get(
    opts: { timeout?: number | undefined; signal?: AbortSignal | undefined } | undefined,
  ): Promise<T> {
    const waiter = new LocalWaiter<T>(opts, (gaveUp) => {
      if (!this.#taking) this.#settleGivenUp(gaveUp);
    });
    this.#list.push(waiter);
    void this.#pump();
    return waiter.promise;
  }

  /** Looks again now (after this object changed the queue, e.g. shut it down). */
  wake(): void {
    if (this.#list.length > 0) void this.#pump();
  }

  /** Rejects every waiting getter with `error`. */
  rejectAll(error: unknown): void {
    const list = this.#list;
    this.#list = [];
    for (const waiter of list) waiter.reject(error);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#list.length > 0) {
        const marks = await this.#takeForGetters();
        if (marks === undefined || this.#list.length === 0) continue;
        try {
          await this.#stream.waitForChange(marks, Number.POSITIVE_INFINITY);
        } catch (error) {
          const closed = this.#hooks.closedError();
          if (closed !== undefined) {
            this.rejectAll(closed);
            return;
          }
          // The blocking connection failed (not a shutdown of ours): look again shortly.
          await sleep(Math.min(100, this.#stream.sweepEvery));
          void error;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** One take for the getters waiting now; the stream's marks when it brought nothing. */
  async #takeForGetters() {
    const wanted = this.#list.length;
    this.#taking = true;
    try {
      let taken: Awaited<ReturnType<LeaseStream['take']>>;
      try {
        taken = await this.#stream.take(wanted);
      } catch (error) {
        this.rejectAll(this.#hooks.closedError() ?? error);
        return undefined;
      }
      const extra: Delivery[] = [];
      for (const delivery of taken.deliveries) {
        const getter = this.#nextGetter();
        if (getter === undefined) {
          extra.push(delivery);
          continue;
        }
        let item: T;
        try {
          item = decodeRedisValue(delivery.payload) as T;
        } catch (error) {
          // Not weft's encoding (another program wrote it): the getter learns why; the entry stays leased.
          getter.reject(error);
          continue;
        }
        this.#hooks.delivered(delivery);
        getter.resolve(item);
      }
      if (extra.length > 0) await this.#stream.giveBack(extra).catch(() => {});
      if (taken.shutDown) {
        this.#hooks.shutDown();
        if (taken.deliveries.length < wanted) {
          this.rejectAll(
            new QueueShutDown(`${this.#hooks.where}: the queue was shut down and is empty`),
          );
        }
      }
      return taken.deliveries.length > 0 ? undefined : taken.marks;
    } finally {
      this.#taking = false;
      for (const waiter of [...this.#list])
        if (waiter.gaveUp !== undefined) this.#settleGivenUp(waiter);
    }
  }

  /** The first getter still waiting (those that gave up are settled on the way). */
  #nextGetter(): LocalWaiter<T> | undefined {
    for (;;) {
      const getter = this.#list.shift();
      if (getter === undefined || getter.gaveUp === undefined) return getter;
      this.#settle(getter);
    }
  }

  #settleGivenUp(waiter: LocalWaiter<T>): void {
    const at = this.#list.indexOf(waiter);
    if (at >= 0) this.#list.splice(at, 1);
    this.#settle(waiter);
  }

  #settle(waiter: LocalWaiter<T>): void {
    const why = waiter.gaveUp;
    if (why === undefined) return;
    waiter.reject(
      why.timedOut
        ? new QueueEmpty(`${this.#hooks.where}: no item arrived within the timeout`)
        : why.reason,
    );
  }
}
