/**
 * `Queue` — a FIFO queue for tasks on one event loop (Python's `queue.Queue` /
 * `asyncio.Queue`, with 3.13's `shutdown`), and the base of every queue kind.
 * @module
 */
import { LOOK, type QueueLook, registerLive } from '../core/live-registry.js';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import {
  falseOnTimeout,
  RESOLVED_TRUE,
  RESOLVED_VOID,
  type Waiter,
  WaiterQueue,
} from '../core/waiter.js';
import { QueueEmpty, QueueFull, QueueShutDown, RuntimeError } from '../errors.js';
import { Deque } from './deque.js';
import {
  FULL_BESIDE,
  GETTERS,
  GIVE_BACK,
  LEND,
  LENT_RECEIVED,
  PUSHES_AHEAD,
  PUT_RESERVED,
  RELEASE_RESERVED,
  RESERVE,
} from './getters.js';
import { untilShutDown } from './until-shut-down.js';

/** One item as a batch. */
function inBatch<T>(item: T): T[] {
  return [item];
}

/** The mark of a parked getter that lends (see `LEND`). */
const LENDS: unique symbol = Symbol('weft.lends');

/**
 * A FIFO queue with an optional bound, `taskDone`/`join` accounting and shutdown.
 *
 * Items go straight to the longest-waiting getter; a bounded queue admits waiting
 * putters in FIFO order as room appears. `maxsize` (`<= 0` means unbounded) is read again
 * on every put, as in CPython. Subclasses change only the storage order (`LifoQueue`,
 * `PriorityQueue`).
 *
 * @example
 * ```ts
 * const q = new Queue<string>(10);
 * const worker = (async () => {
 *   for await (const job of q) { await handle(job); q.taskDone(); }
 * })();
 * await q.put('a'); await q.put('b');
 * await q.join();   // every job handled
 * q.shutdown();     // the worker's loop ends
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
  /** The bound (`<= 0`: unbounded); may be changed at any time and is read on every put. */
  maxsize: number;
  private readonly getters = new WaiterQueue<T>();
  private readonly putters = new WaiterQueue<void>();
  private readonly joiners = new WaiterQueue<boolean>();
  private unfinished = 0;
  /**
   * Items pushed ahead to a handle's consumer (see `LEND`) that its code has not taken yet:
   * still in the queue as far as `qsize`, `full` and the bound are concerned.
   */
  private lent = 0;
  /**
   * Slots reserved for producers in other threads or processes (credits, see `RESERVE`):
   * not items yet, so not in `qsize`, but counted against the bound by `full` and putters.
   */
  private reserved = 0;
  private isShutDown = false;
  /** Shut down with `immediate`: items are dropped, not kept. */
  private dropsItems = false;
  /** Items ever put, and ever handed to a getter (the dashboard's rates). */
  private putCount = 0;
  private gotCount = 0;

  constructor(maxsize = 0) {
    if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) {
      throw new TypeError(
        `${new.target.name}(maxsize): maxsize must be an integer (0 or less: no bound), got ${describe(maxsize)}`,
      );
    }
    this.maxsize = maxsize;
    registerLive(this);
  }

  /**
   * Number of items in the queue now. Items a handle in another thread or process has
   * fetched ahead for its consumer, and its code has not taken yet, are still counted (as
   * Python's `multiprocessing.Queue` counts items in its pipe): they come back if that
   * consumer stops.
   */
  qsize(): number {
    return this.size() + this.lent;
  }

  /** Whether the queue holds no items (`qsize() === 0`). */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /**
   * Whether a bounded queue holds `maxsize` items or more (`qsize() >= maxsize`), counting
   * the slots it reserved for producers in other threads or processes (their credits:
   * items on their way, put by a handle that did not wait for the answer).
   */
  full(): boolean {
    return this[FULL_BESIDE](0);
  }

  /** `full()` for a producer holding `own` of the reserved slots, which are room for it. */
  [FULL_BESIDE](own: number): boolean {
    return this.maxsize > 0 && this.qsize() + this.reserved - own >= this.maxsize;
  }

  /** Whether `shutdown()` was called. */
  get shutDown(): boolean {
    return this.isShutDown;
  }

  /**
   * Puts `item`, waiting for room in a bounded queue. Rejects with `QueueFull` on timeout,
   * `QueueShutDown` if the queue is or gets shut down, or the signal's reason when aborted
   * — in each case without adding the item.
   */
  put(item: T, opts?: WaitOptions): Promise<void> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.constructor.name}.put`);
      if (refused) return refused;
    }
    if (this.isShutDown) return Promise.reject(this.shutDownError('put'));
    if (this.putters.length > 0) this.admitPutters();
    if (this.putters.length === 0 && !this.full()) {
      try {
        this.accept(item);
      } catch (err) {
        // An item the storage refuses (PriorityQueue: cannot be ordered) rejects, never throws.
        return Promise.reject(err);
      }
      return RESOLVED_VOID;
    }
    return this.putters.wait(opts, this.putTimedOut, item);
  }

  /** Puts `item` if there is room now; throws `QueueFull` otherwise (or `QueueShutDown`). */
  putNowait(item: T): void {
    if (this.isShutDown) throw this.shutDownError('putNowait');
    if (this.putters.length > 0) this.admitPutters();
    if (this.putters.length > 0 || this.full()) {
      throw new QueueFull(
        `${this.constructor.name}.putNowait(): the queue is full (maxsize ${this.maxsize})`,
      );
    }
    this.accept(item);
  }

  /**
   * Removes and returns the next item, waiting for one. Rejects with `QueueEmpty` on
   * timeout, `QueueShutDown` once the queue is shut down and drained, or the signal's
   * reason when aborted — without taking an item.
   */
  get(opts?: WaitOptions): Promise<T> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.constructor.name}.get`);
      if (refused) return refused;
    }
    if (this.size() > 0) {
      try {
        return Promise.resolve(this.take());
      } catch (err) {
        // Storage that cannot order its items (PriorityQueue) rejects, never throws.
        return Promise.reject(err);
      }
    }
    if (this.isShutDown) return Promise.reject(this.shutDownError('get'));
    return this.getters.wait(opts, this.getTimedOut);
  }

  /** Removes and returns the next item if there is one; throws `QueueEmpty` otherwise (or `QueueShutDown`). */
  getNowait(): T {
    if (this.size() > 0) return this.take();
    if (this.isShutDown) throw this.shutDownError('getNowait');
    throw new QueueEmpty(`${this.constructor.name}.getNowait(): the queue is empty`);
  }

  /**
   * Marks one item taken by a get as fully processed. When every item put has been marked,
   * `join()` callers wake. Throws `RuntimeError` when called more times than items were put.
   */
  taskDone(): void {
    if (this.unfinished <= 0) {
      throw new RuntimeError(
        `${this.constructor.name}.taskDone() called more times than items were put; call it once per item you got`,
      );
    }
    if (--this.unfinished === 0) this.joiners.wakeAll(true);
  }

  /**
   * Waits until every item ever put has been marked with `taskDone()`. Resolves `true`
   * then, or `false` if `timeout` runs out first.
   */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.constructor.name}.join`);
      if (refused) return refused;
    }
    if (this.unfinished === 0) return RESOLVED_TRUE;
    return this.joiners.wait(opts, falseOnTimeout);
  }

  /**
   * Shuts the queue down (Python 3.13). Later puts throw `QueueShutDown`, and so do
   * blocked putters. Gets go on draining what is left, then throw `QueueShutDown`, and so
   * do blocked getters. With `immediate`, what is left is dropped and counted as done,
   * which releases `join()` once nothing else is unfinished.
   */
  shutdown(immediate = false): void {
    this.isShutDown = true;
    if (immediate) {
      this.dropsItems = true;
      while (this.size() > 0) {
        // retrieve(), not take(): dropping items must not admit waiting putters, who get QueueShutDown.
        this.retrieve();
        if (this.unfinished > 0) this.unfinished--;
      }
      if (this.unfinished === 0) this.joiners.wakeAll(true);
    }
    this.putters.rejectAll(this.shutDownError('put'));
    if (this.size() === 0) this.getters.rejectAll(this.shutDownError('get'));
  }

  /** Yields items as they arrive; ends when the queue is shut down and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return untilShutDown(() => this.get());
  }

  /** The parked getters, for `select()`, which parks one getter on several queues. */
  get [GETTERS](): WaiterQueue<T> {
    return this.getters;
  }

  /**
   * Puts back an item a get took that never reached its getter: it goes to the longest
   * waiting getter, or back where it came out (the front), still counted as unfinished. A
   * bounded queue may hold one item over `maxsize` for it: it was in the queue already. On a
   * queue shut down with `immediate`, it is dropped and counted as done, as the rest were.
   */
  [GIVE_BACK](item: T, lent = false): void {
    if (lent && this.lent > 0) this.lent--;
    if (this.dropsItems) {
      if (this.unfinished > 0 && --this.unfinished === 0) this.joiners.wakeAll(true);
      return;
    }
    if (!this.handToGetter(item)) this.restore(item);
    // A lent item that went to a getter waiting has left the queue: its room is a putter's.
    else if (this.putters.length > 0) this.admitPutters();
  }

  /**
   * A get on behalf of a handle that fetches items ahead of its consumer's code: takes up
   * to `max` items (at least one, waiting for it), which stay counted in `qsize()` (and
   * against `maxsize`) until `LENT_RECEIVED` says the consumer's code took them, or
   * `GIVE_BACK` with `lent` returns them.
   */
  [LEND](max: number, opts?: WaitOptions): Promise<T[]> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.constructor.name}.get`);
      if (refused) return refused;
    }
    if (this.size() > 0) {
      try {
        return Promise.resolve(this.lendUpTo(max, []));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.isShutDown) return Promise.reject(this.shutDownError('get'));
    // Woken with one item, counted as lent then. (Only that one: items stored after it may
    // be due to getters parked behind this one.)
    return this.getters.wait(opts, this.getTimedOut, LENDS).then(inBatch);
  }

  /** Takes up to `max` more stored items into `batch`, lent. */
  private lendUpTo(max: number, batch: T[]): T[] {
    for (let n = Math.min(max, this.size()); n > 0; n--) {
      batch.push(this.retrieve());
      this.lent++;
    }
    return batch;
  }

  /** `count` lent items reached their consumer's code: they leave the queue, room frees. */
  [LENT_RECEIVED](count: number): void {
    this.gotCount += Math.min(count, this.lent);
    this.lent = Math.max(0, this.lent - count);
    if (this.putters.length > 0) this.admitPutters();
  }

  /**
   * Reserves up to `max` slots for a handle's producer, which may then put without waiting
   * for an answer: as many as the bound leaves room for (all `max` on an unbounded queue),
   * and none once shut down or while putters wait (they came first).
   */
  [RESERVE](max: number): number {
    if (this.isShutDown || this.putters.length > 0) return 0;
    const room = this.maxsize > 0 ? this.maxsize - this.qsize() - this.reserved : max;
    const granted = Math.max(0, Math.min(max, room));
    this.reserved += granted;
    return granted;
  }

  /**
   * An item put under a credit takes its reserved slot: accepted even if the queue was shut
   * down since the credit was granted (it was promised room), dropped and counted as done
   * after `shutdown(true)`, as the items that were in the queue were.
   */
  [PUT_RESERVED](item: T): void {
    if (this.reserved > 0) this.reserved--;
    if (!this.dropsItems) this.accept(item);
  }

  /** `count` reserved slots will not be used (credits given back): the room frees. */
  [RELEASE_RESERVED](count: number): void {
    this.reserved = Math.max(0, this.reserved - count);
    if (this.putters.length > 0) this.admitPutters();
  }

  /**
   * Whether a handle may fetch items ahead and put under credits: the items come out in
   * the order they went in, and the class gets and puts as `Queue` does (a subclass that
   * overrides `get` or `put`, to count what passes, say, must see every call).
   */
  get [PUSHES_AHEAD](): boolean {
    const own = Queue.prototype;
    return (
      this.retrieve === own.retrieve &&
      this.store === own.store &&
      this.get === own.get &&
      this.put === own.put &&
      this.getNowait === own.getNowait &&
      this.putNowait === own.putNowait
    );
  }

  /** The local dashboard's look (core/live-registry.ts). */
  [LOOK](): QueueLook {
    const { maxsize, unfinished } = this;
    return {
      kind: 'queue',
      type: this.constructor.name,
      name: null,
      detail: maxsize > 0 ? `maxsize ${maxsize}` : 'unbounded',
      waiting: this.qsize(),
      unfinished,
      put: this.putCount,
      got: this.gotCount,
      shutDown: this.dropsItems ? 'immediate' : this.isShutDown ? 'graceful' : null,
    };
  }

  // Storage: FIFO here; subclasses override these five.
  private readonly items = new Deque<T>();

  /** Number of stored items. */
  protected size(): number {
    return this.items.length;
  }

  /** Stores an item. */
  protected store(item: T): void {
    this.items.push(item);
  }

  /** Stores an item given back after `retrieve()` took it, where it comes out next. */
  protected restore(item: T): void {
    this.items.unshift(item);
  }

  /** Removes the next stored item (only called when `size() > 0`). */
  protected retrieve(): T {
    return this.items.shift() as T;
  }

  /** A newly accepted item: straight to the longest getter, or into storage. */
  private accept(item: T): void {
    if (!this.handToGetter(item)) this.store(item);
    this.unfinished++;
    this.putCount++;
  }

  /** Gives `item` to the longest-waiting getter; `false` when none took it. */
  private handToGetter(item: T): boolean {
    const getters = this.getters;
    for (let waiter = getters.shift(); waiter !== null; waiter = getters.shift()) {
      if (waiter.resolve(item)) {
        // Counted before anything else runs, so a put right after sees the room it took.
        if (waiter.data === LENDS) this.lent++;
        else this.gotCount++;
        return true;
      }
    }
    return false;
  }

  /** Takes the next stored item and lets a waiting putter fill the room it leaves. */
  private take(): T {
    const item = this.retrieve();
    this.gotCount++;
    if (this.putters.length > 0) this.admitPutters();
    return item;
  }

  /** Moves waiting putters' items in, in FIFO order, while there is room. */
  private admitPutters(): void {
    while (this.putters.length > 0 && !this.full()) {
      const putter = this.putters.shift()!;
      try {
        this.accept(putter.data as T);
      } catch (err) {
        putter.reject(err);
        continue;
      }
      putter.resolve(undefined);
    }
  }

  private readonly putTimedOut = (): never => {
    throw new QueueFull(
      `${this.constructor.name}.put(): no room within the timeout (maxsize ${this.maxsize})`,
    );
  };

  private readonly getTimedOut = (_waiter: Waiter<T>): never => {
    throw new QueueEmpty(`${this.constructor.name}.get(): no item within the timeout`);
  };

  private shutDownError(method: string): QueueShutDown {
    return new QueueShutDown(`${this.constructor.name}.${method}(): the queue is shut down`);
  }
}
