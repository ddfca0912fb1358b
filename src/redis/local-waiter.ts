/**
 * One caller of a Redis-scope object waiting in this process (a get, a put into a full
 * queue, a join). Its owner keeps it in a list and settles it; the timeout and the signal
 * only tell the owner the caller gave up, so the owner can first finish a step already sent
 * to Redis for it (an item taken for a getter goes back before the getter rejects) and leave
 * no trace.
 * @module
 */
import type { WaitOptions } from '../core/options.js';

/** Why a waiter gave up: its timeout ran out, or its signal aborted with `reason`. */
export type GiveUp =
  | { readonly timedOut: true }
  | { readonly timedOut: false; readonly reason: unknown };

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

/** A waiting caller; `onGiveUp` runs once when its timeout or signal ends the wait. */
export class LocalWaiter<T> {
  readonly promise: Promise<T>;
  settled = false;
  /** Set once the caller gave up (the owner settles it when it is safe). */
  gaveUp: GiveUp | undefined;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onGiveUp: (waiter: LocalWaiter<T>) => void;

  constructor(opts: WaitOptions | undefined, onGiveUp: (waiter: LocalWaiter<T>) => void) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#onGiveUp = onGiveUp;
    const timeout = opts?.timeout;
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      this.#timer = setTimeout(
        () => this.#giveUp({ timedOut: true }),
        Math.min(timeout, MAX_TIMER_MS),
      );
    }
    this.#signal = opts?.signal;
    if (this.#signal?.aborted) {
      // Aborted while the caller was still getting ready (a subscription on its way): the
      // event will not fire again. Gives up once the owner holds this waiter.
      queueMicrotask(() => this.handleEvent());
      return;
    }
    this.#signal?.addEventListener('abort', this);
  }

  /** Abort listener (an object listener: no closure per waiter). */
  handleEvent(): void {
    this.#giveUp({ timedOut: false, reason: this.#signal?.reason });
  }

  /** Settles with `value` unless already settled; `false` tells the owner to hand it on. */
  resolve(value: T): boolean {
    if (this.settled) return false;
    this.#finish();
    this.#resolve(value);
    return true;
  }

  /** Rejects with `reason` unless already settled. */
  reject(reason: unknown): boolean {
    if (this.settled) return false;
    this.#finish();
    this.#reject(reason);
    return true;
  }

  #giveUp(why: GiveUp): void {
    if (this.settled || this.gaveUp !== undefined) return;
    this.gaveUp = why;
    this.#onGiveUp(this);
  }

  #finish(): void {
    this.settled = true;
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this);
  }
}
