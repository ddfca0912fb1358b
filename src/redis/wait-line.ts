/**
 * The client side of a waiting line in Redis (`RedisLock`, `RedisSemaphore`): this
 * object's waiters, each known in Redis by its token. A release in Redis hands the lock or
 * permit straight to the first live waiter and publishes `"<token> <info>"`; the waiter
 * whose token it is wakes. Waiters never poll in a loop: they wake on that message, on a
 * reply that names them (a release made here), or on one check every third of the lease —
 * which renews their place (a waiter that stops renewing is dropped as dead), hands on a
 * lock whose holder's lease ran out (expiry sends no message), and puts back in line a
 * waiter the server forgot (a restart). A waiter that times out or is aborted leaves the
 * line, and if it was handed the lock meanwhile, hands it on: it leaves no trace.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { Waiter } from '../core/waiter.js';
import { ChannelListener } from './channel-listener.js';
import type { RedisConnection } from './connection.js';
import { GONE, WAITING } from './line-prelude.js';

/** A lock or permit handed to this client: its token, and what the grant said. */
export interface Grant {
  token: string;
  info: string;
  /** Handed over by a release or a check (its lease is the granting client's), not taken at once. */
  handed?: boolean | undefined;
}

/** A place in line: taken at once (`info` set) or waiting under `token`. */
export interface Entry {
  token: string;
  info?: string | undefined;
}

/** The object's Lua steps the line runs. */
export interface LineSteps {
  /** Takes a place in line (or the thing itself, when free and nobody waits). */
  enqueue(): Promise<Entry>;
  /**
   * Renews the waiters' places and hands on what is free; replies the state of each token
   * (`WAITING`, `GONE`, else the grant's info) and in how many ms something may next come
   * free by itself (a lease running out; negative when nothing will).
   */
  poll(tokens: string[]): Promise<{ states: string[]; next: number }>;
  /** Takes a token out of line, handing on what was granted to it. */
  leave(token: string): Promise<unknown>;
}

const notGranted = (): false => false;

/** How many grants for nobody here are remembered (see `#remember`). */
const MAX_UNCLAIMED = 64;

/** One waiter of the line: leaving it any way but a grant takes its token out of Redis. */
class LineWaiter extends Waiter<Grant | false> {
  granted = false;
  constructor(
    private readonly line: WaitLine,
    public token: string,
  ) {
    super();
  }

  protected override finish(): void {
    super.finish();
    if (!this.granted) this.line.leave(this);
  }
}

/** This object's waiters on one Redis line. */
export class WaitLine {
  readonly #waiters = new Map<string, LineWaiter>();
  readonly #unclaimed = new Map<string, string>();
  readonly #listener: ChannelListener;
  readonly #checkEvery: number;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #pollAgain = false;

  constructor(
    connection: RedisConnection,
    channel: string,
    lease: number,
    private readonly steps: LineSteps,
  ) {
    this.#checkEvery = Math.max(1, Math.floor(lease / 3));
    this.#listener = new ChannelListener(connection, channel, {
      message: (data) => {
        const text = data.toString();
        const space = text.indexOf(' ');
        this.grant(text.slice(0, space), text.slice(space + 1));
      },
      resubscribed: () => this.#poll(),
    });
  }

  /** How many of this object's callers wait. */
  get size(): number {
    return this.#waiters.size;
  }

  /** Whether the line's channel is subscribed (only while someone waits). */
  get listening(): boolean {
    return this.#listener.subscribed;
  }

  /**
   * Takes a place and waits for a grant; `false` when the timeout ran out, the signal's
   * reason when aborted. `opts` were checked by the caller.
   */
  async wait(opts: WaitOptions | undefined): Promise<Grant | false> {
    const timeout = opts?.timeout ?? Number.POSITIVE_INFINITY;
    const deadline = performance.now() + timeout;
    const entry = await this.steps.enqueue();
    if (entry.info !== undefined) return { token: entry.token, info: entry.info };
    // Its grant may have come round (on the subscription, or in the reply to a release made
    // here) before this reply. It wakes as a parked waiter does, so the waiters ahead of it
    // that the same release woke a moment ago resume first: returning the grant itself would
    // resume it sooner than them, out of line order.
    const early = this.#unclaimed.get(entry.token);
    if (early !== undefined) {
      this.#unclaimed.delete(entry.token);
      const waiter = new LineWaiter(this, entry.token);
      const waiting = waiter.park(null, undefined, notGranted, false);
      this.#waiters.set(entry.token, waiter);
      this.grant(entry.token, early);
      return waiting;
    }
    const signal = opts?.signal;
    const left = deadline - performance.now();
    if (signal?.aborted || left <= 0) {
      this.#leaveToken(entry.token);
      if (signal?.aborted) throw signal.reason;
      return false;
    }
    const waiter = new LineWaiter(this, entry.token);
    const waiting = waiter.park(
      null,
      { timeout: timeout === Number.POSITIVE_INFINITY ? undefined : left, signal },
      notGranted,
    );
    // A wait refused before it parked (its task was being cancelled) is already settled.
    if (waiter.settled) {
      this.#leaveToken(entry.token);
      return waiting;
    }
    this.#waiters.set(entry.token, waiter);
    if (this.#waiters.size === 1) this.#startListening();
    return waiting;
  }

  /** Wakes the waiter `token` (if it is this object's and still waits) with its grant. */
  grant(token: string, info: string): void {
    const waiter = this.#waiters.get(token);
    if (waiter === undefined) {
      this.#remember(token, info);
      return;
    }
    this.#waiters.delete(token);
    waiter.granted = true;
    waiter.resolve({ token, info, handed: true });
    this.#stopIfIdle();
  }

  /** A waiter that timed out or was aborted: out of line, here and in Redis. */
  leave(waiter: LineWaiter): void {
    if (this.#waiters.get(waiter.token) !== waiter) return;
    this.#waiters.delete(waiter.token);
    this.#leaveToken(waiter.token);
    this.#stopIfIdle();
  }

  /** Ends every wait with `reason` (the object is closing). */
  rejectAll(reason: unknown): void {
    for (const waiter of [...this.#waiters.values()]) waiter.reject(reason);
  }

  /** Ends every wait with `reason`, and drops the subscription and the timer for good. */
  close(reason: unknown): void {
    this.rejectAll(reason);
    clearTimeout(this.#timer);
    this.#listener.close();
  }

  /**
   * Keeps the last grants heard for no waiter of this object: most were for other objects'
   * waiters, but one may be for a waiter whose place-in-line reply has not come back yet.
   */
  #remember(token: string, info: string): void {
    if (this.#unclaimed.size >= MAX_UNCLAIMED) {
      this.#unclaimed.delete(this.#unclaimed.keys().next().value!);
    }
    this.#unclaimed.set(token, info);
  }

  #leaveToken(token: string): void {
    // Sent on the object's client, so every later command of this object sees it done.
    this.steps.leave(token).catch(() => {});
  }

  #startListening(): void {
    this.#listener.start().then(
      // A grant published before the subscription was missed: look.
      () => this.#poll(),
      () => this.#schedule(this.#checkEvery),
    );
    this.#schedule(this.#checkEvery);
  }

  #stopIfIdle(): void {
    if (this.#waiters.size > 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listener.stop();
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    if (this.#waiters.size === 0) return;
    this.#timer = setTimeout(() => this.#poll(), ms);
  }

  async #poll(): Promise<void> {
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = true;
    let next = this.#checkEvery;
    try {
      do {
        this.#pollAgain = false;
        const tokens = [...this.#waiters.keys()];
        if (tokens.length === 0) return;
        const reply = await this.steps.poll(tokens);
        tokens.forEach((token, i) => {
          const state = reply.states[i]!;
          if (state === GONE) this.#reenter(token);
          else if (state !== WAITING) this.grant(token, state);
        });
        // Wake just after a lease runs out, so a dead holder's lock is passed on in time.
        if (reply.next >= 0) next = Math.min(next, reply.next + 1);
      } while (this.#pollAgain);
    } catch {
      // The connection closed, or the server is unreachable: try again at the next check.
    } finally {
      this.#polling = false;
      this.#schedule(next);
    }
  }

  /** Puts back in line a waiter the server forgot (it restarted, or took it for dead). */
  async #reenter(token: string): Promise<void> {
    const waiter = this.#waiters.get(token);
    if (waiter === undefined) return;
    let entry: Entry;
    try {
      entry = await this.steps.enqueue();
    } catch (error) {
      waiter.reject(error);
      return;
    }
    if (waiter.settled || this.#waiters.get(token) !== waiter) {
      this.#leaveToken(entry.token);
      return;
    }
    this.#waiters.delete(token);
    waiter.token = entry.token;
    this.#waiters.set(entry.token, waiter);
    if (entry.info !== undefined) this.grant(entry.token, entry.info);
  }
}
