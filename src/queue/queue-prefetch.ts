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
 * was never confirmed). So no item is lost or given twice, a consumer holds at most
 * `WINDOW` items another consumer could have had, and the handle's gets of every kind
 * (`get`, timed or not, `getNowait`, the iterator's `next`) take the queue's items in the
 * order they were made, and settle in that order.
 * @module
 */
import { invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { type Waiter, WaiterQueue } from '../core/waiter.js';
import { QueueEmpty, QueueShutDown } from '../errors.js';
import type { HandleLink, HeldAnswer } from '../remote/handle.js';
import { Deque } from './deque.js';
import { listenedBy, NEVER, NONE, pending, type Slot, STOPPED } from './prefetch-slot.js';
import { ReadyItems } from './ready-items.js';

/** The most items a consumer's handle fetches ahead of its code. */
export const WINDOW = 256;
/** The most batches on their way to a consumer at once. */
const CALLS_IN_FLIGHT = 2;
/** The window grows while the consumer's code asks again within this long of its last item (ms). */
const FAST_LOOP_MS = 2;
/** Items fetched ahead go back when the consumer's code made no get for this long (ms). */
export const IDLE_MS = 50;

const NO_ARGS: readonly unknown[] = [];

/** The mark of a get waiting for the iterator's next result. */
const ITERATES: unique symbol = Symbol('iterates');
/** The mark of a `getNowait` waiting for its turn among the handle's gets. */
const NOWAIT: unique symbol = Symbol('nowait');

/** One handle's items fetched ahead, and its gets waiting for them, in the order they were made. */
export class Prefetch<T> {
  /** Arrived, not yet taken by the consumer's code, in the queue's order. */
  private readonly ready: ReadyItems;
  /**
   * The handle's gets waiting, in the order they were made (`get`, the iterator's `next`,
   * a `getNowait` whose turn has not come): items go to the earliest first.
   */
  private readonly waiters = new WaiterQueue<unknown>();
  /** Of `waiters`, the `getNowait`s, and those of them whose own call is not sent yet. */
  private nowaits = 0;
  private unsentNowaits = 0;
  /** Plain gets timed by the owner on their way (`get` with options while nothing is fetched). */
  private plainGets = 0;
  /** Calls sent to the owner, in the order sent, until they are used. */
  private readonly slots = new Deque<Slot>();
  /** Calls sent to the owner and not used yet, how many of them fetch ahead, and how many items they may bring. */
  private callsInFlight = 0;
  private lendsInFlight = 0;
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
  ) {
    this.ready = new ReadyItems(link);
  }

  /**
   * The next item: one fetched ahead if there is one, else the next to arrive, after the
   * handle's gets made before. With options while nothing is fetched or waited for, a
   * plain get timed by the owner. `undefined` once the handle let go: the handle's own
   * call then says so.
   */
  get(opts: WaitOptions | undefined): Promise<T> | undefined {
    return this.request(opts, undefined) as Promise<T> | undefined;
  }

  /** The iterator's next result: a get settled in turn with the others, as an iterator result. */
  next(): Promise<IteratorResult<T, undefined>> | undefined {
    return this.request(undefined, ITERATES) as Promise<IteratorResult<T, undefined>> | undefined;
  }

  private request(opts: WaitOptions | undefined, mark: typeof ITERATES | undefined) {
    const invalid = invalidWaitOptions(opts, `${this.className}.get`);
    if (invalid) return Promise.reject(invalid);
    if (opts?.signal?.aborted) return Promise.reject(opts.signal.reason);
    if (this.link.closed) {
      // The owner took back what was fetched ahead when the handle let go.
      this.ready.drop();
      return undefined;
    }
    const now = performance.now();
    this.window = now - this.handedAt < FAST_LOOP_MS ? Math.min(WINDOW, this.window * 2) : 1;
    this.askedAt = now;
    if (this.ready.count > 0) {
      // Nothing waits while items are ready: this get is the next.
      const item = this.takeNext(now);
      this.topUp();
      return Promise.resolve(mark === ITERATES ? { value: item, done: false } : item);
    }
    if (opts !== undefined && this.callsInFlight === 0 && this.waiters.length === 0) {
      // Timed by the owner, where it waits ahead of any get made after it.
      this.plainGets++;
      const item = this.link.wait('get', NO_ARGS, opts);
      item.then(this.plainSettled, this.plainSettled);
      return item;
    }
    const item = this.waiters.wait(opts, this.timedOut, mark);
    this.topUp();
    this.armIdle();
    item.then(undefined, this.gaveUp);
    return item;
  }

  /**
   * The next item if there is one now, after the handle's gets made before (`getNowait`):
   * one fetched ahead, or one on its way (fetching ahead is withdrawn, and what was on its
   * way is waited for), else the owner's. While an earlier get of the handle still waits,
   * the next item is that get's: `QueueEmpty`, as the owner's own `getNowait` throws while
   * a getter waits. `undefined` once the handle let go.
   */
  getNowait(): Promise<T> | undefined {
    if (this.link.closed) {
      this.ready.drop();
      return undefined;
    }
    if (this.ready.count > 0) return Promise.resolve(this.takeNext(performance.now()));
    if (this.waiters.length > this.nowaits || this.plainGets > 0) {
      if (this.lendsInFlight === 0) return Promise.reject(this.emptyError());
    } else if (this.callsInFlight === 0) {
      return this.link.call('getNowait', NO_ARGS) as Promise<T>;
    }
    // Batches on their way may hold the next item: withdrawn, their answers awaited.
    this.window = 1;
    if (this.lendsInFlight > 0 && !this.stopping) this.withdrawLends();
    this.nowaits++;
    this.unsentNowaits++;
    const item = this.waiters.waitIgnoringTask(NOWAIT) as Promise<T>;
    this.topUp();
    return item;
  }

  /**
   * The consumer stopped: the calls in flight are withdrawn, and every item fetched ahead
   * goes back to the front of the queue, in order, once they have all answered.
   */
  stop(): void {
    this.window = 1;
    if (this.callsInFlight === 0) {
      this.ready.giveBackAll();
      return;
    }
    if (this.stopping) return;
    this.stopping = true;
    this.withdrawAll();
  }

  /** Withdraws every call on its way: the batches fetched ahead and the plain gets. */
  private withdrawAll(): void {
    this.withdrawLends();
    for (let i = 0; i < this.slots.length; i++) this.slots.at(i)!.own?.abort(STOPPED);
  }

  /** Withdraws the batches fetched ahead on their way. */
  private withdrawLends(): void {
    this.controller.abort(STOPPED);
    this.controller = listenedBy();
  }

  /**
   * A get that waited gave up while others still wait: the plain gets beyond what they
   * need are withdrawn, the latest first. None stays parked at the owner for nobody: an
   * item handed to it would be out of the queue (and of its count) until it came back,
   * and would pass over the owner's other getters.
   */
  private withdrawSurplus(): void {
    let surplus = this.ready.count - (this.waiters.length - this.nowaits);
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
   * Sends the calls the gets waiting need. A `getNowait` whose turn came (once the batches
   * it withdrew have answered) sends its own call, and no get made after it fetches before
   * that is sent: the owner answers them in that order. Then items keep coming for the gets
   * waiting and, while the consumer loops fast, a window beyond them: fetched in batches
   * once half the window is used, so a batch is on its way while the code works through
   * the last.
   */
  private topUp(): void {
    if (this.stopping) return;
    if (this.unsentNowaits > 0 && !this.sendNowaits()) return;
    const waiting = this.waiters.length - this.nowaits;
    const have = this.itemsInFlight + this.ready.count;
    if (this.window === 1) {
      // A slow consumer: one plain get per call that waits, each leaving the queue when answered.
      for (let n = have; n < waiting; n++) this.fetch('get', 1);
      return;
    }
    const want = waiting + this.window;
    if (have * 2 <= want && this.callsInFlight < CALLS_IN_FLIGHT) this.fetch('lend', want - have);
  }

  /**
   * The `getNowait`s waiting for their turn, in order: each behind a get still waiting
   * settles with `QueueEmpty` (the next item is that get's), the others send their call.
   * `false` while batches they withdrew are still on their way.
   */
  private sendNowaits(): boolean {
    if (this.lendsInFlight > 0) return false;
    let getsAhead = this.plainGets;
    for (let waiter = this.waiters.peek(); waiter !== null; ) {
      const next = waiter.next;
      if (waiter.data !== NOWAIT) getsAhead++;
      else if (!this.sent.has(waiter)) {
        if (getsAhead === 0) {
          this.unsentNowaits--;
          this.sent.add(waiter);
          this.send('getNowait', 0, undefined, waiter);
        } else this.settle(waiter, waiter.reject(this.emptyError()));
      }
      if (this.unsentNowaits === 0) break;
      waiter = next;
    }
    return true;
  }

  /** The `getNowait`s whose own call is sent. */
  private readonly sent = new WeakSet<Waiter<unknown>>();

  /** `waiter` left the gets waiting (`settled`: it took what it was given): counted out. */
  private settle(waiter: Waiter<unknown>, settled: boolean): boolean {
    if (settled && waiter.data === NOWAIT) {
      this.nowaits--;
      if (!this.sent.has(waiter)) this.unsentNowaits--;
    }
    return settled;
  }

  private fetch(method: 'get' | 'lend', count: number): void {
    if (method === 'lend') this.send('lend', count, this.controller.signal, undefined);
    // A plain get is withdrawn alone (`withdrawSurplus`) or with the rest (`withdrawAll`).
    else this.send('get', count, undefined, undefined);
  }

  /**
   * Sends a call for up to `count` items (a batch to `lend`; one item to `get`; a
   * `getNowait` for `nowait`, counted for no other get).
   */
  private send(
    method: 'get' | 'lend' | 'getNowait',
    count: number,
    shared: AbortSignal | undefined,
    nowait: Waiter<unknown> | undefined,
  ): void {
    const own = method === 'get' ? new AbortController() : undefined;
    const signal = shared ?? own?.signal ?? NEVER;
    const whole = method !== 'lend';
    const slot: Slot = { count, whole, held: undefined, error: NONE, signal, own, nowait };
    this.slots.push(slot);
    this.callsInFlight++;
    if (!whole) this.lendsInFlight++;
    this.itemsInFlight += count;
    const answer =
      method === 'getNowait'
        ? this.link.callHeld(method, NO_ARGS)
        : this.link.waitHeld(method, method === 'get' ? NO_ARGS : [count], signal);
    answer.then(
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
      if (!first.whole) this.lendsInFlight--;
      this.itemsInFlight -= first.count;
      if (first.held !== undefined) this.arrived(first, first.held);
      else this.failed(first);
    }
    this.settled();
  }

  private arrived(slot: Slot, held: HeldAnswer): void {
    const items = slot.whole ? [held.value] : (held.value as unknown[]);
    this.ready.add(items, held.receipt, slot.whole);
    // Gets waiting take the earliest items first.
    const now = performance.now();
    while (this.ready.count > 0 && this.waiters.length > 0) {
      const waiter = this.waiters.shift()!;
      const item = this.ready.peek();
      const value = waiter.data === ITERATES ? { value: item, done: false } : item;
      if (this.settle(waiter, waiter.resolve(value))) this.takeNext(now);
    }
    // A plain get's item left the queue's count when answered: with no call left to take it
    // (the one it was for gave up), it goes back at once rather than wait here uncounted.
    if (slot.whole) this.ready.giveBackLast(held.receipt);
  }

  private failed(slot: Slot): void {
    const err = slot.error;
    // A getNowait's own call: its answer is its own (`QueueEmpty`, say).
    if (slot.nowait !== undefined) {
      this.settle(slot.nowait, refuse(slot.nowait, err));
      return;
    }
    // Withdrawn: nothing to report. Otherwise (shut down and drained, handle closed) the
    // longest-waiting get hears it; the others have their own calls in flight or get one now.
    if (slot.signal.aborted) return;
    // Fetching ahead again would only fail the same way: a call that waits asks anew.
    this.window = 1;
    for (let waiter = this.waiters.shift(); waiter !== null; waiter = this.waiters.shift()) {
      if (this.settle(waiter, refuse(waiter, err))) break;
    }
  }

  private settled(): void {
    if (this.stopping) {
      if (this.callsInFlight > 0) return;
      this.stopping = false;
      // A get made while stopping waits for what comes next: fetch again for it.
      if (this.waiters.length === 0) {
        this.ready.giveBackAll();
        return;
      }
    }
    this.topUp();
    this.armIdle();
  }

  /** Takes the next ready item for the consumer's code. */
  private takeNext(now: number): T {
    this.handedAt = now;
    return this.ready.take() as T;
  }

  /**
   * A get gave up (its timeout, its signal, its task killed): with nobody else waiting, the
   * consumer stopped; otherwise the plain get fetched for it is withdrawn.
   */
  private readonly gaveUp = (): void => {
    if (this.waiters.length === 0) this.stop();
    else this.withdrawSurplus();
  };

  private readonly plainSettled = (): void => {
    this.plainGets--;
  };

  private readonly timedOut = (): never => {
    throw new QueueEmpty(`${this.className}.get(): no item within the timeout`);
  };

  private emptyError(): QueueEmpty {
    return new QueueEmpty(
      `${this.className}.getNowait(): no item for it now (an earlier get of this handle waits for the next)`,
    );
  }

  /** Watches for a consumer that stopped asking while items are held for it. */
  private armIdle(): void {
    if (this.idleTimer !== undefined || this.callsInFlight + this.ready.count === 0) return;
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

/**
 * Settles a get that waited with a failure: the iterator's ends quietly when the queue
 * was shut down and drained, as `for await` over the queue does.
 */
function refuse(waiter: Waiter<unknown>, err: unknown): boolean {
  if (waiter.data === ITERATES && err instanceof QueueShutDown) {
    return waiter.resolve({ value: undefined, done: true });
  }
  return waiter.reject(err);
}
