/**
 * Credit-based delivery for a queue's consumer in another thread or process (as AMQP's
 * prefetch): while the consumer's code loops on `get()` with little in between, its handle
 * keeps a window of gets in flight at the owner, so items arrive ahead of the calls that
 * will take them and the loop pays no round trip per item.
 *
 * Every item fetched ahead stays the queue's (counted by `qsize()` and against `maxsize`)
 * until the consumer's code takes it; the owner forgets it then. An item that arrived and
 * was not taken goes back to the front of the queue, in order, when the consumer stops:
 * it breaks out of `for await`, a get of its times out or is aborted, it makes no get for
 * `IDLE_MS`, it disconnects, or its thread or process dies (the owner takes back whatever
 * was never confirmed). So no item is lost or given twice, each consumer sees the queue's
 * order, and a consumer holds at most `WINDOW` items another consumer could have had.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { WaiterQueue } from '../core/waiter.js';
import { QueueEmpty } from '../errors.js';
import type { HandleLink, HeldAnswer } from '../remote/handle.js';
import { Deque } from './deque.js';

/** The most items a consumer's handle fetches ahead of its code. */
export const WINDOW = 256;
/** The most batches on their way to a consumer at once. */
const CALLS_IN_FLIGHT = 2;
/** The window grows while the consumer's code asks again within this long of its last item (ms). */
const FAST_LOOP_MS = 2;
/** Items fetched ahead go back when the consumer's code made no get for this long (ms). */
export const IDLE_MS = 50;

const NO_ARGS: readonly unknown[] = [];

/** A batch of items that arrived, taken by the consumer's code from `next` on. */
interface Batch {
  readonly items: unknown[];
  readonly receipt: number;
  /** A batch for gets that wait (`get`: one item, kept whole) or fetched ahead (`lend`). */
  readonly whole: boolean;
  next: number;
}

/** A call on its way to the owner, filled in when it is answered. */
interface Slot {
  readonly count: number;
  readonly whole: boolean;
  held: HeldAnswer | undefined;
  /** Why it failed (`NONE` while it has not). */
  error: unknown;
  readonly signal: AbortSignal;
  /**
   * A plain get's own way to withdraw it (it also goes with the rest, see `withdrawAll`):
   * made for one get that waits, it goes alone when that get gives up.
   */
  readonly own: AbortController | undefined;
}

/** No error (an error may be any value, `undefined` included). */
const NONE: unique symbol = Symbol('none');

/** Whether `slot`'s call is not answered yet. */
function pending(slot: Slot): boolean {
  return slot.held === undefined && slot.error === NONE;
}

/** One handle's items fetched ahead, and the gets of its code waiting for them. */
export class Prefetch<T> {
  /** Arrived, not yet taken by the consumer's code, in the queue's order. */
  private readonly ready = new Deque<Batch>();
  /** How many items `ready` holds. */
  private readyCount = 0;
  /** Gets of the consumer's code waiting for the next item. */
  private readonly waiters = new WaiterQueue<T>();
  /** Calls sent to the owner, in the order sent, until they are used. */
  private readonly slots = new Deque<Slot>();
  /** Calls sent to the owner and not used yet, and how many items they may bring. */
  private callsInFlight = 0;
  private itemsInFlight = 0;
  /** Withdraws the calls in flight when the consumer stops. */
  private controller = listenedBy();
  /** Stopping: the calls in flight were withdrawn; what arrives goes back once all have answered. */
  private stopping = false;
  /** How many items to keep coming beyond the gets waiting: 1 while the consumer is slow. */
  private window = 1;
  /** When the consumer's code last received an item, and last asked for one. */
  private handedAt = Number.NEGATIVE_INFINITY;
  private askedAt = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    private readonly link: HandleLink,
    private readonly className: string,
  ) {}

  /**
   * The next item: one fetched ahead if there is one, else the next to arrive. Returns
   * `undefined` when nothing is fetched or on the way and the call has options: the
   * handle then makes a plain get, timed by the owner.
   */
  get(opts: WaitOptions | undefined): Promise<T> | undefined {
    const invalid = invalidWaitOptions(opts, `${this.className}.get`);
    if (invalid) return Promise.reject(invalid);
    if (opts?.signal?.aborted) return Promise.reject(opts.signal.reason);
    if (this.link.closed) {
      // The owner took back what was fetched ahead when the handle let go.
      this.dropReady();
      return undefined;
    }
    const now = performance.now();
    this.window = now - this.handedAt < FAST_LOOP_MS ? Math.min(WINDOW, this.window * 2) : 1;
    this.askedAt = now;
    if (this.readyCount > 0) {
      const item = this.takeNext(now);
      this.topUp();
      return Promise.resolve(item);
    }
    if (opts !== undefined && this.callsInFlight === 0) return undefined;
    const item = this.waiters.wait(opts, this.timedOut);
    this.topUp();
    this.armIdle();
    item.then(undefined, this.gaveUp);
    return item;
  }

  /** An item fetched ahead, taken now if there is one (`getNowait`); `undefined` otherwise. */
  takeReady(): { value: T } | undefined {
    if (this.link.closed || this.readyCount === 0) return undefined;
    return { value: this.takeNext(performance.now()) };
  }

  /**
   * For `getNowait` while calls are on their way (an item may be in one, ahead of any the
   * owner still holds): withdraws them, waits for their answers, then takes what came.
   */
  async takeAfterCallsSettle(): Promise<{ value: T } | undefined> {
    if (this.callsInFlight > 0 && this.readyCount === 0) {
      this.window = 1;
      if (!this.stopping) this.withdrawAll();
      await new Promise<void>((resolve) => this.quiet.push(resolve));
    }
    return this.takeReady();
  }

  /** Whether calls are on their way to the owner. */
  get fetching(): boolean {
    return this.callsInFlight > 0;
  }

  /** Callers waiting for every call on its way to be answered. */
  private quiet: (() => void)[] = [];

  /**
   * The consumer stopped: the calls in flight are withdrawn, and every item fetched ahead
   * goes back to the front of the queue, in order, once they have all answered.
   */
  stop(): void {
    this.window = 1;
    if (this.callsInFlight === 0) {
      this.returnReady();
      return;
    }
    if (this.stopping) return;
    this.stopping = true;
    this.withdrawAll();
  }

  /** Withdraws every call on its way: the batches fetched ahead and the plain gets. */
  private withdrawAll(): void {
    this.controller.abort(STOPPED);
    this.controller = listenedBy();
    for (let i = 0; i < this.slots.length; i++) this.slots.at(i)!.own?.abort(STOPPED);
  }

  /**
   * A get that waited gave up while others still wait: the plain gets beyond what they
   * need are withdrawn, the latest first. None stays parked at the owner for nobody: an
   * item handed to it would be out of the queue (and of its count) until it came back,
   * and would pass over the owner's other getters.
   */
  private withdrawSurplus(): void {
    let surplus = this.readyCount - this.waiters.length;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots.at(i)!;
      if (!slot.signal.aborted) surplus += slot.count;
    }
    for (let i = this.slots.length - 1; i >= 0 && surplus > 0; i--) {
      const slot = this.slots.at(i)!;
      if (slot.own === undefined || slot.signal.aborted || !pending(slot)) continue;
      slot.own.abort(STOPPED);
      surplus--;
    }
  }

  /**
   * Keeps items coming for the gets waiting and, while the consumer loops fast, a window
   * beyond them: fetched in batches once half the window is used, so a batch is on its way
   * while the consumer's code works through the last.
   */
  private topUp(): void {
    if (this.stopping) return;
    const waiting = this.waiters.length;
    const have = this.itemsInFlight + this.readyCount;
    if (this.window === 1) {
      // A slow consumer: one plain get per call that waits, each leaving the queue when answered.
      for (let n = have; n < waiting; n++) this.fetch('get', 1);
      return;
    }
    const want = waiting + this.window;
    if (have * 2 <= want && this.callsInFlight < CALLS_IN_FLIGHT) this.fetch('lend', want - have);
  }

  private fetch(method: 'get' | 'lend', count: number): void {
    this.callsInFlight++;
    this.itemsInFlight += count;
    const whole = method === 'get';
    // A plain get is withdrawn alone (`withdrawSurplus`) or with the rest (`withdrawAll`).
    const own = whole ? new AbortController() : undefined;
    const signal = own?.signal ?? this.controller.signal;
    const slot: Slot = { count, whole, held: undefined, error: NONE, signal, own };
    this.slots.push(slot);
    const args = method === 'get' ? NO_ARGS : [count];
    this.link.waitHeld(method, args, signal).then(
      (held) => this.answered(slot, held, NONE),
      (err: unknown) => this.answered(slot, undefined, err),
    );
  }

  /**
   * A call was answered. Answers are used in the order the calls were sent — the order
   * the owner took their items in — whatever order they settle in here (an answer whose
   * classes must load first settles late).
   */
  private answered(slot: Slot, held: HeldAnswer | undefined, error: unknown): void {
    slot.held = held;
    slot.error = error;
    for (let first = this.slots.peek(); first !== undefined; first = this.slots.peek()) {
      if (pending(first)) break;
      this.slots.shift();
      this.callsInFlight--;
      this.itemsInFlight -= first.count;
      if (first.held !== undefined) this.arrived(first, first.held);
      else this.failed(first.error, first.signal);
    }
    if (this.callsInFlight === 0 && this.quiet.length > 0) {
      const quiet = this.quiet;
      this.quiet = [];
      for (const resolve of quiet) resolve();
    }
    this.settled();
  }

  private arrived(slot: Slot, held: HeldAnswer): void {
    const items = slot.whole ? [held.value] : (held.value as unknown[]);
    this.ready.push({ items, receipt: held.receipt, whole: slot.whole, next: 0 });
    this.readyCount += items.length;
    // Gets waiting take the earliest items first.
    const now = performance.now();
    while (this.readyCount > 0 && this.waiters.length > 0) {
      const first = this.ready.peek()!;
      const waiter = this.waiters.shift()!;
      if (waiter.resolve(first.items[first.next] as T)) this.advance(first, now);
    }
    // A plain get's item left the queue's count when answered: with no call left to take it
    // (the one it was for gave up), it goes back at once rather than wait here uncounted.
    if (slot.whole && this.ready.length > 0) {
      const last = this.ready.pop()!;
      if (last.receipt === held.receipt && last.next === 0) {
        this.readyCount--;
        this.link.giveBack([held.receipt]);
      } else this.ready.push(last);
    }
  }

  private failed(err: unknown, signal: AbortSignal): void {
    // Withdrawn by `stop`: nothing to report. Otherwise (shut down and drained, handle
    // closed) the longest-waiting get hears it; the others have their own calls in flight
    // or get one now.
    if (signal.aborted) return;
    // Fetching ahead again would only fail the same way: a call that waits asks anew.
    this.window = 1;
    for (let waiter = this.waiters.shift(); waiter !== null; waiter = this.waiters.shift()) {
      if (waiter.reject(err)) break;
    }
  }

  private settled(): void {
    if (this.stopping) {
      if (this.callsInFlight > 0) return;
      this.stopping = false;
      // A get made while stopping waits for what comes next: fetch again for it.
      if (this.waiters.length === 0) {
        this.returnReady();
        return;
      }
    }
    this.topUp();
    this.armIdle();
  }

  /** Takes the next ready item for the consumer's code. */
  private takeNext(now: number): T {
    const first = this.ready.peek()!;
    const item = first.items[first.next] as T;
    this.advance(first, now);
    return item;
  }

  /** The consumer's code took the next item of `batch` (the first ready one): the owner forgets it. */
  private advance(batch: Batch, now: number): void {
    batch.items[batch.next] = undefined;
    batch.next++;
    this.readyCount--;
    this.handedAt = now;
    if (batch.whole) this.link.keep(batch.receipt);
    else this.link.keep(batch.receipt, 1);
    if (batch.next === batch.items.length) this.ready.shift();
  }

  private returnReady(): void {
    if (this.readyCount === 0) return;
    const receipts: number[] = [];
    for (let batch = this.ready.shift(); batch !== undefined; batch = this.ready.shift()) {
      receipts.push(batch.receipt);
    }
    this.readyCount = 0;
    this.link.giveBack(receipts);
  }

  private dropReady(): void {
    while (this.ready.shift() !== undefined) {}
    this.readyCount = 0;
  }

  /**
   * A get gave up (its timeout, its signal, its task killed): with nobody else waiting, the
   * consumer stopped; otherwise the plain get fetched for it is withdrawn.
   */
  private readonly gaveUp = (): void => {
    if (this.waiters.length === 0) this.stop();
    else this.withdrawSurplus();
  };

  private readonly timedOut = (): never => {
    throw new QueueEmpty(`${this.className}.get(): no item within the timeout`);
  };

  /** Watches for a consumer that stopped asking while items are held for it. */
  private armIdle(): void {
    if (this.idleTimer !== undefined || this.callsInFlight + this.readyCount === 0) return;
    this.idleTimer = setTimeout(this.checkIdle, IDLE_MS);
    this.idleTimer.unref();
  }

  private readonly checkIdle = (): void => {
    this.idleTimer = undefined;
    if (this.waiters.length > 0) return;
    if (performance.now() - this.askedAt >= IDLE_MS) this.stop();
    else this.armIdle();
  };
}

/** A controller whose signal every call in flight listens to (one per get waiting, in the slow mode). */
function listenedBy(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** The abort reason of the calls `stop` withdraws. */
const STOPPED = new Error('the consumer stopped fetching ahead');
