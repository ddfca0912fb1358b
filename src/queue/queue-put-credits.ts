/**
 * Pipelined puts for a queue's producer in another thread or process (credit-based, the
 * producer's side of queue-credits.ts): while the producer's code loops on `put()`, the
 * owner grants its handle credits with the answers to its puts, and each put made under a
 * credit resolves at once — once its item is encoded, so a value that cannot cross still
 * rejects at the call, with nothing sent — and goes to the owner without waiting for an
 * answer. The loop pays no round trip per item.
 *
 * The owner takes the items in the order they were put. A credit is a slot the owner
 * reserved, so a bounded queue never holds more than its bound. A put sent under a credit
 * is accepted even if the queue was shut down meanwhile (dropped and counted as done after
 * `shutdown(true)`); once the handle has heard of the shutdown, its puts reject as usual.
 * Credits not used go back after `IDLE_MS` without a put, on `disconnect`, and when the
 * thread or process ends or dies.
 * @module
 */
import { invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { RESOLVED_VOID } from '../core/waiter.js';
import type { HandleLink } from '../remote/handle.js';
import { PUT_WINDOW } from './queue-credits.js';
import { IDLE_MS } from './queue-prefetch.js';

/** The credits asked for double while the producer's code puts again within this long of its last put (ms). */
const FAST_LOOP_MS = 2;

/** One handle's credits, and its puts still waiting for an answer. */
export class PutCredits {
  /** Slots the owner reserved for this handle and no put has used yet. */
  private credits = 0;
  /** How many credits to ask to hold: 0 while the producer is slow, doubling while it loops. */
  private window = 0;
  /** Puts sent without a credit and not answered yet: a put under a credit must not overtake them. */
  private waiting = 0;
  /** When the producer's code last put, or last heard its put was done. */
  private putAt = Number.NEGATIVE_INFINITY;
  private idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    private readonly link: HandleLink,
    private readonly className: string,
  ) {}

  /** `put(item, opts)`: under a credit if one is held, else a put that waits for its answer. */
  put(item: unknown, opts: WaitOptions | undefined): Promise<void> {
    this.paced();
    if (this.usable()) {
      const invalid = invalidWaitOptions(opts, `${this.className}.put`);
      if (invalid) return Promise.reject(invalid);
      if (opts?.signal?.aborted) return Promise.reject(opts.signal.reason);
      return this.putCredited(item);
    }
    // With options, or once credits would not help (closed, shut down): the plain put.
    const ahead = opts === undefined && this.window > 0 && !this.link.closed;
    const answer = ahead
      ? this.link.wait('putAhead', [item, this.window], undefined)
      : this.link.wait('put', [item], opts);
    this.waiting++;
    return answer.then(
      (granted) => {
        this.waiting--;
        this.putAt = performance.now();
        if (ahead) this.granted(granted);
      },
      (err: unknown) => {
        this.waiting--;
        throw err;
      },
    );
  }

  /** `putNowait(item)` under a credit if one is held; `undefined` for the plain call otherwise. */
  putNowait(item: unknown): Promise<void> | undefined {
    this.paced();
    return this.usable() ? this.putCredited(item) : undefined;
  }

  /** Whether a put may go under a credit now. */
  private usable(): boolean {
    return this.credits > 0 && this.waiting === 0 && !this.link.closed && !this.link.state.shutDown;
  }

  /** A put was made: the window doubles while they come fast, and closes when they do not. */
  private paced(): void {
    const now = performance.now();
    this.window =
      now - this.putAt < FAST_LOOP_MS ? Math.min(PUT_WINDOW, Math.max(1, this.window * 2)) : 0;
    this.putAt = now;
  }

  private putCredited(item: unknown): Promise<void> {
    let answer: Promise<unknown>;
    try {
      answer = this.link.callAhead('putCredited', [item, this.window]);
    } catch (err) {
      // Nothing was sent: the credit is still held.
      return Promise.reject(err);
    }
    this.credits--;
    // The put is done as far as the caller is concerned; the answer only brings credits (or
    // fails because the handle closed, when the owner takes the credits back itself).
    answer.then(this.granted, ignore);
    this.armIdle();
    return RESOLVED_VOID;
  }

  private readonly granted = (granted: unknown): void => {
    if (typeof granted !== 'number' || granted <= 0) return;
    this.credits += granted;
    this.armIdle();
  };

  /** Watches for a producer that stopped putting while credits are held for it. */
  private armIdle(): void {
    if (this.idleTimer !== undefined || this.credits === 0) return;
    this.idleTimer = setTimeout(this.checkIdle, IDLE_MS);
    this.idleTimer.unref();
  }

  private readonly checkIdle = (): void => {
    this.idleTimer = undefined;
    if (performance.now() - this.putAt < IDLE_MS) {
      this.armIdle();
      return;
    }
    this.giveBack();
  };

  /** The credits held go back to the owner, whose queue frees their slots. */
  private giveBack(): void {
    const count = this.credits;
    this.credits = 0;
    this.window = 0;
    // A closed handle's connection ended: the owner took its credits back then.
    if (count === 0 || this.link.closed) return;
    try {
      this.link.callAhead('releaseCredits', [count]).then(undefined, ignore);
    } catch {
      // Closed in between: the owner took them back as the connection ended.
    }
  }
}

function ignore(): void {}
