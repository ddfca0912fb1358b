/**
 * The waiter core under every task-scope primitive.
 *
 * A `Waiter` is one parked caller: a promise that settles exactly once, linked into one
 * `WaiterQueue` (FIFO). Primitives never keep waiters anywhere else and never settle a
 * promise themselves; they `shift()` a waiter and `resolve()` it with what it waited for
 * (a permit, an item, a notification). Timeouts and aborts live here: a waiter that times
 * out or is aborted leaves its queue at once, drops its timer and its abort listeners, and
 * — because it was never handed anything — has nothing to give back. A hand-off that
 * meets an already-settled waiter reports `false`, and the primitive hands the value to
 * the next one instead.
 * @module
 */
import type { WaitOptions } from './options.js';
import { currentIdentity } from './task-identity.js';
import type { WaitWatch, WatchedWait } from './wait-watch.js';

/**
 * What a waiter settles with when its timeout fires: return a value to resolve with
 * (`false` for `acquire`), or throw to reject (`QueueEmpty` for `get`). The waiter has
 * already left its queue when this runs.
 */
export type OnTimeout<T> = (waiter: Waiter<T>) => T;

/** setTimeout's largest delay; longer timeouts are reached in several steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** One parked caller. Primitives read `data` (what the caller brought) and call `resolve`. */
export class Waiter<T> {
  prev: Waiter<T> | null = null;
  next: Waiter<T> | null = null;
  queue: WaiterQueue<T> | null = null;
  /** What the caller brought: the item a putter offers, the task that wants an RLock. */
  data: unknown = undefined;
  settled = false;
  private resolveFn: ((value: T) => void) | undefined = undefined;
  private rejectFn: ((reason: unknown) => void) | undefined = undefined;
  /** Timer and signal wiring, allocated only for waits that have a timeout or a signal. */
  private arm: WaitArm<T> | undefined = undefined;

  /** Settles with `value` unless already settled; `false` tells the caller to hand the value on. */
  resolve(value: T): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.finish();
    this.resolveFn!(value);
    return true;
  }

  /** Rejects with `reason` unless already settled. */
  reject(reason: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.finish();
    this.rejectFn!(reason);
    return true;
  }

  /**
   * Makes the waiter's promise, wires its timeout and abort signals, and links it into
   * `queue` (or into nothing, for a waiter that only groups others). A signal that is
   * already aborted, or a timeout of 0, settles it without ever queueing.
   */
  park(
    queue: WaiterQueue<T> | null,
    opts: WaitOptions | undefined,
    onTimeout: OnTimeout<T>,
    observeTask = true,
  ): Promise<T> {
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    if (opts !== undefined) {
      signal = opts.signal;
      timeout = opts.timeout;
      if (signal?.aborted) return this.refuse(signal.reason);
    }
    const watch = observeTask ? currentIdentity()?.waitWatch : undefined;
    if (watch?.interrupted) return this.refuse(watch.reason);
    if (timeout === 0) {
      this.settled = true;
      try {
        return Promise.resolve(onTimeout(this));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // A closure per park measured faster than handing the resolvers over through
    // module-level variables (each store to a module binding is checked, and it showed).
    const promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (queue !== null) queue.push(this);
    if (timeout === Number.POSITIVE_INFINITY) timeout = undefined;
    if (timeout !== undefined || signal !== undefined || watch !== undefined) {
      const arm = new WaitArm(this, onTimeout, signal);
      this.arm = arm;
      if (timeout !== undefined) {
        arm.deadline = performance.now() + timeout;
        arm.timer = setTimeout(expire, Math.min(timeout, MAX_TIMER_MS), this);
      }
      signal?.addEventListener('abort', this);
      watch?.link(arm);
    }
    return promise;
  }

  /** Settles a wait that never parked: a later resolve or reject then changes nothing. */
  private refuse(reason: unknown): Promise<never> {
    this.settled = true;
    return Promise.reject(reason);
  }

  /** Abort listener (an object listener, so no closure per waiter). */
  handleEvent(event: Event): void {
    this.interrupt((event.target as AbortSignal).reason);
  }

  /** A signal the wait observes aborted (the caller's, or its task's): rejects with `reason`. */
  interrupt(reason: unknown): void {
    this.reject(reason);
  }

  /** Timer callback: reaches long deadlines in steps, then settles as `onTimeout` says. */
  expireNow(): void {
    const arm = this.arm;
    if (this.settled || arm === undefined) return;
    const left = arm.deadline - performance.now();
    if (left > 1) {
      arm.timer = setTimeout(expire, Math.min(left, MAX_TIMER_MS), this);
      return;
    }
    this.settled = true;
    this.finish();
    let value: T;
    try {
      value = arm.onTimeout(this);
    } catch (err) {
      this.rejectFn!(err);
      return;
    }
    this.resolveFn!(value);
  }

  /** Leaves the queue and drops the timer and listeners: nothing of the wait is left behind. */
  protected finish(): void {
    if (this.queue !== null) this.queue.remove(this);
    const arm = this.arm;
    if (arm !== undefined) {
      this.arm = undefined;
      if (arm.timer !== undefined) clearTimeout(arm.timer);
      arm.signal?.removeEventListener('abort', this);
      arm.watch?.unlink(arm);
    }
  }
}

/** The part of a wait that only timed or abortable waits need. */
class WaitArm<T> implements WatchedWait {
  timer: NodeJS.Timeout | undefined = undefined;
  deadline = 0;
  /** The task's signal this wait observes, and the wait's place among the others there. */
  watch: WaitWatch | undefined = undefined;
  watchPrev: WatchedWait | null = null;
  watchNext: WatchedWait | null = null;
  constructor(
    readonly waiter: Waiter<T>,
    readonly onTimeout: OnTimeout<T>,
    readonly signal: AbortSignal | undefined,
  ) {}
}

// biome-ignore lint/suspicious/noExplicitAny: a timer callback shared by waiters of every type.
function expire(waiter: Waiter<any>): void {
  waiter.expireNow();
}

/**
 * A FIFO of parked callers, intrusive and doubly linked so a waiter that gives up leaves
 * in O(1) wherever it stands.
 */
export class WaiterQueue<T> {
  private head: Waiter<T> | null = null;
  private tail: Waiter<T> | null = null;
  /** How many callers are parked here right now. */
  length = 0;

  /**
   * Parks the caller until a primitive resolves it, its timeout fires (`onTimeout`
   * decides the outcome) or a signal aborts it (rejects with the signal's reason).
   */
  wait(opts: WaitOptions | undefined, onTimeout: OnTimeout<T>, data?: unknown): Promise<T> {
    const waiter = new Waiter<T>();
    waiter.data = data;
    return waiter.park(this, opts, onTimeout);
  }

  /** Like `wait`, but the current task being killed does not interrupt it (re-acquiring a lock on the way out of `Condition.wait`). */
  waitIgnoringTask(data?: unknown): Promise<T> {
    const waiter = new Waiter<T>();
    waiter.data = data;
    return waiter.park(this, undefined, neverTimesOut, false);
  }

  /** Links `waiter` at the tail. */
  push(waiter: Waiter<T>): void {
    waiter.queue = this;
    waiter.prev = this.tail;
    waiter.next = null;
    if (this.tail === null) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    this.length++;
  }

  /** Unlinks `waiter` from wherever it stands. */
  remove(waiter: Waiter<T>): void {
    if (waiter.queue !== this) return;
    const { prev, next } = waiter;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = null;
    waiter.queue = null;
    this.length--;
  }

  /** The longest-waiting caller, still linked. */
  peek(): Waiter<T> | null {
    return this.head;
  }

  /** Unlinks and returns the longest-waiting caller (the caller then resolves it). */
  shift(): Waiter<T> | null {
    const first = this.head;
    if (first !== null) this.remove(first);
    return first;
  }

  /** Resolves the longest-waiting caller with `value`; `false` when nobody took it. */
  wakeFirst(value: T): boolean {
    for (let waiter = this.shift(); waiter !== null; waiter = this.shift()) {
      if (waiter.resolve(value)) return true;
    }
    return false;
  }

  /** Resolves up to `n` callers in FIFO order; returns how many took `value`. */
  wake(n: number, value: T): number {
    let woken = 0;
    while (woken < n && this.wakeFirst(value)) woken++;
    return woken;
  }

  /** Resolves every parked caller with `value`. */
  wakeAll(value: T): void {
    while (this.wakeFirst(value)) {}
  }

  /** Rejects every parked caller with `reason`. */
  rejectAll(reason: unknown): void {
    for (let waiter = this.shift(); waiter !== null; waiter = this.shift()) waiter.reject(reason);
  }

  /** The parked callers, longest-waiting first. */
  *[Symbol.iterator](): IterableIterator<Waiter<T>> {
    for (let waiter = this.head; waiter !== null; waiter = waiter.next) yield waiter;
  }
}

function neverTimesOut(): never {
  throw new Error('unreachable: this wait has no timeout');
}

/** A resolved `true`, shared so that uncontended acquires allocate nothing. */
export const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
/** A resolved `undefined`, shared for puts that need not wait. */
export const RESOLVED_VOID: Promise<void> = Promise.resolve();
/** `onTimeout` for waits that report a timeout as `false`. */
export const falseOnTimeout: OnTimeout<boolean> = () => false;
