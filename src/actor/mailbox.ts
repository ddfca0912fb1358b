/**
 * What an actor needs from its mailbox, and the letters that travel in it.
 *
 * The actor's behaviour (`run()`, `handle()`) only ever talks to its mailbox through
 * `Mailbox`, which weft's task-scope `Queue` satisfies as it is. A thread- or
 * process-scope queue with the same methods gives the same actor code another scope.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { Waiter } from '../core/waiter.js';

/** The part of weft's queue contract an actor's mailbox uses (`Queue` satisfies it). */
export interface Mailbox<T> {
  put(item: T, opts?: WaitOptions): Promise<void>;
  putNowait(item: T): void;
  get(opts?: WaitOptions): Promise<T>;
  getNowait(): T;
  qsize(): number;
  full(): boolean;
  shutdown(immediate?: boolean): void;
}

/**
 * One received message with the means to answer it, as `Actor.recvEnvelope()` returns it.
 * Keep it to answer later (after other messages, from another task): the asker waits
 * until `reply`/`fail`, its own timeout, or the actor's end.
 */
export interface Envelope<M, R = unknown> {
  /** The message. */
  readonly msg: M;
  /** `true` when it came from `ask()` (someone may be waiting for the answer), `false` from `send()`. */
  readonly expectsReply: boolean;
  /** Answers the asker; `false` when nobody takes it (sent with `send`, already answered, or the asker gave up). */
  reply(value: R): boolean;
  /** Makes the asker's `ask()` reject with `error`; `false` when nobody takes it. */
  fail(error: unknown): boolean;
}

/** The reason a blocked put is withdrawn with when its asker gives up. */
const WITHDRAWN = Symbol('ask withdrawn');

/**
 * A message sent with `ask()`: the mailbox item and the asker's parked wait in one object.
 * Its settlement (reply, failure, timeout, abort) also withdraws a put still waiting for
 * room in a bounded mailbox, and forgets it in the set of envelopes held unanswered.
 * @internal
 */
export class Request<M, R> extends Waiter<R> implements Envelope<M, R> {
  readonly expectsReply = true;
  /** Aborts the put of this request while it waits for room in a full mailbox. */
  putAbort: AbortController | undefined = undefined;
  /** The actor's set of envelopes taken with `recvEnvelope()` and not answered yet. */
  holder: Set<Request<M, R>> | undefined = undefined;

  constructor(readonly msg: M) {
    super();
  }

  reply(value: R): boolean {
    return this.resolve(value);
  }

  fail(error: unknown): boolean {
    return this.reject(error);
  }

  protected override finish(): void {
    super.finish();
    const putAbort = this.putAbort;
    if (putAbort !== undefined) {
      this.putAbort = undefined;
      putAbort.abort(WITHDRAWN);
    }
    if (this.holder !== undefined) {
      this.holder.delete(this);
      this.holder = undefined;
    }
  }
}

/** The envelope of a message sent with `send()`: there is nobody to answer. */
export class SentEnvelope<M, R> implements Envelope<M, R> {
  readonly expectsReply = false;
  constructor(readonly msg: M) {}
  reply(_value: R): boolean {
    return false;
  }
  fail(_error: unknown): boolean {
    return false;
  }
}
