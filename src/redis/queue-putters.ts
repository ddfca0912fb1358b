/**
 * The puts of one bounded `RedisQueue` object waiting in this process for room, admitted in
 * the order they started waiting: the head tries its add script; when the queue is full it
 * waits for a sign that room was made (a `room` notification from any client's get, a get
 * of this object, a reconnection) and tries again. A put that times out or is aborted while
 * its add is on its way to Redis waits for the answer: stored, it succeeds (nothing may be
 * stored behind a rejected put); refused, it rejects.
 * @module
 */
import { QueueFull, QueueShutDown } from '../errors.js';
import type { LeaseStream } from './lease-stream.js';
import { LocalWaiter } from './local-waiter.js';
import type { Notifications } from './notifications.js';

/** How a putter list reports to its queue. */
export interface PutterHooks {
  readonly maxsize: number;
  /** A reply said the queue was shut down. */
  shutDown(): void;
  /** The error for calls after `close()`, or `undefined` while open. */
  closedError(): Error | undefined;
  readonly where: string;
}

interface Putter {
  readonly waiter: LocalWaiter<void>;
  readonly payload: Buffer;
  adding: boolean;
}

/** The waiting puts of one queue object and the loop that admits them. */
export class QueuePutters {
  readonly #stream: LeaseStream;
  readonly #notifications: Notifications;
  readonly #hooks: PutterHooks;
  #list: Putter[] = [];
  #pumping = false;
  #wakes = 0;
  #wakeUp: (() => void) | undefined;
  #listening = false;

  constructor(stream: LeaseStream, notifications: Notifications, hooks: PutterHooks) {
    this.#stream = stream;
    this.#notifications = notifications;
    this.#hooks = hooks;
  }

  /** How many puts wait here. */
  get waiting(): number {
    return this.#list.length;
  }

  /** Parks a put of `payload` (options already checked) and admits it in turn. */
  put(
    payload: Buffer,
    opts: { timeout?: number | undefined; signal?: AbortSignal | undefined } | undefined,
  ): Promise<void> {
    const putter: Putter = {
      payload,
      adding: false,
      waiter: new LocalWaiter<void>(opts, () => {
        if (putter.adding) return; // settled once its add answers
        const at = this.#list.indexOf(putter);
        if (at >= 0) this.#list.splice(at, 1);
        this.#settle(putter);
        this.wake();
      }),
    };
    this.#list.push(putter);
    void this.#pump();
    return putter.waiter.promise;
  }

  /** Room may have been made: the head tries again. */
  wake(): void {
    this.#wakes++;
    const wakeUp = this.#wakeUp;
    this.#wakeUp = undefined;
    wakeUp?.();
  }

  /** Rejects every waiting put with `error`. */
  rejectAll(error: unknown): void {
    const list = this.#list;
    this.#list = [];
    for (const putter of list) putter.waiter.reject(error);
    this.wake();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      if (!this.#listening) {
        this.#listening = true;
        this.#notifications.listen(() => this.wake());
      }
      try {
        await this.#notifications.ready();
      } catch (error) {
        this.rejectAll(this.#hooks.closedError() ?? error);
        return;
      }
      while (this.#list.length > 0) {
        const head = this.#list[0]!;
        const seen = this.#wakes;
        head.adding = true;
        let added: string;
        try {
          added = await this.#stream.add(head.payload, { maxsize: this.#hooks.maxsize });
        } catch (error) {
          this.rejectAll(this.#hooks.closedError() ?? error);
          return;
        } finally {
          head.adding = false;
        }
        if (added === 'shutdown') {
          this.#hooks.shutDown();
          this.rejectAll(new QueueShutDown(`${this.#hooks.where}: the queue was shut down`));
          return;
        }
        if (added !== 'full') {
          this.#list.shift();
          head.waiter.resolve();
          continue;
        }
        if (head.waiter.gaveUp !== undefined) {
          this.#list.shift();
          this.#settle(head);
          continue;
        }
        if (this.#wakes === seen) {
          await new Promise<void>((resolve) => {
            this.#wakeUp = resolve;
          });
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #settle(putter: Putter): void {
    const why = putter.waiter.gaveUp;
    if (why === undefined) return;
    putter.waiter.reject(
      why.timedOut
        ? new QueueFull(`${this.#hooks.where}: no room was made within the timeout`)
        : why.reason,
    );
  }
}
