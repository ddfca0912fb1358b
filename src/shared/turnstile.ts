/**
 * How the tasks of one thread wait at a shared primitive: the engine under every shared
 * lock, semaphore and queue.
 *
 * Each thread keeps its waiting tasks in its own `WaiterQueue` (so timeouts and aborts are
 * the waiter core's, FIFO within the thread) and stands *once* in the primitive's turn list
 * in shared memory (turn-list.ts) for all of them. While it has tasks waiting, one loop per
 * thread sleeps on the primitive's sequence word (`Atomics.waitAsync`), and every change
 * of the primitive bumps that word and wakes the sleepers: each then serves its own tasks
 * from its position, under the primitive's mutex. A waiter re-checks its condition under
 * the word it then sleeps on, so a change between the check and the sleep is never lost.
 * A sleeper also wakes now and then to look for threads that died holding or waiting.
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { WaitOptions } from '../core/options.js';
import { type OnTimeout, type Waiter, WaiterQueue } from '../core/waiter.js';
import { flushBeforeBlocking } from '../remote/outbox.js';
import { currentTag } from './thread-tag.js';
import { dropDeadTurns, joinTurns, leaveTurns, positionOf, requeueTurn } from './turn-list.js';
import { enter, leave, MUTEX_WORDS } from './word-mutex.js';
import { waitChange } from './word-wait.js';

/** The word every change of a primitive bumps; sleepers wait on it. Right after the mutex. */
export const SEQ = MUTEX_WORDS;
/** How many threads sleep on `SEQ` now: a change wakes them only if there are any. */
export const SLEEPERS = SEQ + 1;
/** The first word a primitive's own state may use. */
export const STATE = SEQ + 2;

/** What a try returns when the thread at that position cannot be served yet. */
export const NOT_YET: unique symbol = Symbol('not yet');

/** How often a sleeper looks for dead holders and waiters. */
const CHECK_MS = 100;
/** Turns of the event loop a waiting thread looks again before it sleeps. */
const LINGER_TURNS = 8;

/** What a primitive tells its turnstile: how to serve one waiter, and what to check for dead threads. */
export interface TurnRules<T> {
  /**
   * Under the mutex: serves one waiter (who brought `data`) for the thread at `position`,
   * or returns `NOT_YET`. Throws to reject that waiter (a queue shut down). It calls
   * `changed()` when it changed what others wait for.
   */
  serve(position: number, data: unknown): T | typeof NOT_YET;
  /** Under the mutex: frees what dead threads held; `true` if anything changed. */
  reap?(): boolean;
  /**
   * Under the mutex: whether what this thread waits for is held by another thread, which
   * may die holding it. Waiters then keep this thread's event loop alive (a bare
   * `Atomics.waitAsync` does not), so that they are there to take it over when it does.
   */
  heldElsewhere?(): boolean;
}

/** Keeps the event loop alive while set; it never fires. */
const KEEP_ALIVE_MS = 2 ** 30;
function noop(): void {}

/**
 * Holds this thread's event loop open while its waiters depend on another thread that may
 * die (a lock's holder): they must be there to take over when it does.
 */
export class LoopHold {
  private timer: NodeJS.Timeout | undefined = undefined;

  /** Holds the loop open, or lets it go. */
  hold(on: boolean): void {
    if (on === (this.timer !== undefined)) return;
    if (on) this.timer = setInterval(noop, KEEP_ALIVE_MS);
    else {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** Bumps the sequence word: call under the mutex, then `wake` after leaving it. */
export function bump(words: Int32Array): void {
  // Atomic, so that a sleeper counted after the wake's check of SLEEPERS sees the new value.
  Atomics.add(words, SEQ, 1);
}

/**
 * Wakes every thread sleeping on the primitive's sequence word. Those it wakes are uncounted
 * here, at once: a sleeper's own loop may run only much later, and until then every change
 * would pay for a notify that finds nobody (a stream's every item, once its taker slept).
 */
export function wake(words: Int32Array): void {
  if (Atomics.load(words, SLEEPERS) > 0) {
    const woken = Atomics.notify(words, SEQ);
    if (woken > 0) Atomics.sub(words, SLEEPERS, woken);
  }
}

/**
 * Sleeps (asynchronously) until `SEQ` is no longer `seen`, or `ms` passed; counted as a
 * sleeper meanwhile (until woken by `wake`, which uncounts it, or until it stops waiting).
 */
export async function sleepOn(words: Int32Array, seen: number, ms: number): Promise<void> {
  Atomics.add(words, SLEEPERS, 1);
  const waiting = waitChange(words, SEQ, seen, ms);
  if (waiting === undefined || (await waiting) !== 'ok') Atomics.sub(words, SLEEPERS, 1);
}

/** Looks at the sequence word before a thread blocks on it. */
const SPINS_BEFORE_BLOCKING = 2000;

/**
 * Blocks this thread until `SEQ` is no longer `seen`, or `ms` passed; counted as a sleeper
 * meanwhile (see `sleepOn`). It first looks at `SEQ` for a few microseconds: in a stream or
 * a hand-off the next change is usually that close, and a thread that blocked would cost
 * the changer a wake-up system call and itself a sleep, each far longer than the look.
 */
export function blockOn(words: Int32Array, seen: number, ms: number): void {
  for (let i = 0; i < SPINS_BEFORE_BLOCKING; i++) {
    if (Atomics.load(words, SEQ) !== seen) return;
  }
  // A blocked thread sends nothing: what it owes others (calls, a dict loan) goes first.
  flushBeforeBlocking();
  Atomics.add(words, SLEEPERS, 1);
  if (Atomics.wait(words, SEQ, seen, ms) !== 'ok') Atomics.sub(words, SLEEPERS, 1);
}

/** Runs `body` under the primitive's mutex; if it bumped the sequence, wakes the sleepers. */
export function underMutex<R>(words: Int32Array, body: () => R): R {
  const before = lock(words);
  try {
    return body();
  } finally {
    unlock(words, before);
  }
}

/** Takes the primitive's mutex; returns the sequence word as it was, for `unlock`. */
function lock(words: Int32Array): number {
  enter(words, 0);
  return words[SEQ]!;
}

/** Gives the mutex back; wakes the sleepers if the sequence moved since `before`. */
function unlock(words: Int32Array, before: number): void {
  const changed = words[SEQ] !== before;
  leave(words, 0);
  if (changed) wake(words);
}

/** One thread's waiting tasks at one turn list of a shared primitive. */
export class Turnstile<T> extends WaiterQueue<T> {
  private sleeping = false;
  private inTurns = false;
  /** Holds the event loop open while a holder elsewhere may die (see `heldElsewhere`). */
  private readonly loopHold = new LoopHold();
  /** The sequence word as the last pass saw it under the mutex: sleep only while it still holds. */
  private seen = 0;

  constructor(
    private readonly words: Int32Array,
    /** Where the turn list starts in `words`. */
    private readonly turnsAt: number,
    private readonly rules: TurnRules<T>,
  ) {
    super();
  }

  /**
   * Serves the caller at once if it may be served (no task of this thread waits before
   * it), else parks it until served, timed out or aborted. `ignoreTask`: the task being
   * killed does not interrupt the wait (taking a lock back on the way out of a condition wait).
   */
  enqueue(
    opts: WaitOptions | undefined,
    onTimeout: OnTimeout<T>,
    data?: unknown,
    ignoreTask = false,
  ): Promise<T> {
    if (this.length === 0) {
      let now: T | typeof NOT_YET;
      try {
        now = this.tryNow(data);
      } catch (err) {
        return Promise.reject(err);
      }
      if (now !== NOT_YET) return Promise.resolve(now);
    }
    return this.park(opts, onTimeout, data, ignoreTask);
  }

  /** Parks the caller (who tried already, or must wait behind this thread's other tasks) until served. */
  park(
    opts: WaitOptions | undefined,
    onTimeout: OnTimeout<T>,
    data?: unknown,
    ignoreTask = false,
  ): Promise<T> {
    const promise = ignoreTask ? this.waitIgnoringTask(data) : this.wait(opts, onTimeout, data);
    if (this.length > 0) this.serveWaiting();
    return promise;
  }

  /**
   * Under the mutex: serves `data` now from this thread's position, or `NOT_YET`; this
   * thread's parked tasks are served first. Throws what `serve` throws.
   */
  tryNow(data?: unknown): T | typeof NOT_YET {
    if (this.length > 0 && this.serveWaiting() > 0) return NOT_YET;
    const words = this.words;
    // Not through underMutex: this is every put's and get's path, and its closure showed.
    const before = lock(words);
    try {
      this.tidy();
      return this.rules.serve(positionOf(words, this.turnsAt, currentTag()), data);
    } finally {
      unlock(words, before);
    }
  }

  /**
   * Under the mutex, before serving anyone: frees what dead threads held (`reap`) and drops
   * the turns of threads that died waiting — every pass must, a try too, or a dead thread's
   * place is never given up (no thread of its own may be waiting to do so). Each change wakes
   * the sleepers.
   */
  private tidy(): void {
    if (this.rules.reap?.()) bump(this.words);
    if (dropDeadTurns(this.words, this.turnsAt)) bump(this.words);
  }

  /** Serves this thread's waiting tasks in order, as far as their turn allows. */
  serveWaiting(): number {
    const words = this.words;
    const tag = currentTag();
    let elsewhere = false;
    underMutex(words, () => {
      this.tidy();
      let served = 0;
      for (let waiter = this.peek(); waiter !== null; waiter = this.peek()) {
        let value: T | typeof NOT_YET;
        try {
          value = this.rules.serve(positionOf(words, this.turnsAt, tag), waiter.data);
        } catch (err) {
          this.shift()!.reject(err);
          continue;
        }
        if (value === NOT_YET) break;
        this.shift()!.resolve(value);
        served++;
      }
      if (this.length === 0) {
        if (this.inTurns) {
          this.inTurns = false;
          if (leaveTurns(words, this.turnsAt, tag)) bump(words);
        }
      } else if (!this.inTurns) {
        this.inTurns = true;
        joinTurns(words, this.turnsAt, tag);
      } else if (served > 0 && requeueTurn(words, this.turnsAt, tag)) {
        bump(words);
      }
      this.seen = words[SEQ]!;
      elsewhere = this.length > 0 && this.rules.heldElsewhere?.() === true;
    });
    this.loopHold.hold(elsewhere);
    if (this.length > 0 && !this.sleeping) void this.sleep();
    return this.length;
  }

  /**
   * Serves `data` blocking this thread (a worker's `acquireSync`/`getSync`), ahead of its
   * own parked tasks (they cannot run while it blocks); `NOT_YET` when `timeout` ran out.
   */
  serveBlocking(data: unknown, timeout: number | undefined): T | typeof NOT_YET {
    if (this.length === 0) {
      // The common case, served at once: one pass, with none of the closures a wait needs.
      const now = this.tryNow(data);
      if (now !== NOT_YET) return now;
    }
    const words = this.words;
    const tag = currentTag();
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    let joined = false;
    let seen = 0;
    const pass = (giveUp: boolean): T | typeof NOT_YET =>
      underMutex(words, () => {
        this.tidy();
        let value: T | typeof NOT_YET = NOT_YET;
        let failed = true;
        try {
          if (!giveUp) value = this.rules.serve(positionOf(words, this.turnsAt, tag), data);
          failed = false;
        } finally {
          const done = giveUp || failed || value !== NOT_YET;
          if (!done && !joined && !this.inTurns) {
            joinTurns(words, this.turnsAt, tag);
            joined = true;
          } else if (done && joined && this.length === 0) {
            if (leaveTurns(words, this.turnsAt, tag)) bump(words);
          }
          seen = words[SEQ]!;
        }
        return value;
      });
    for (;;) {
      const value = pass(false);
      if (value !== NOT_YET) return value;
      const left = deadline - performance.now();
      if (left <= 0) return pass(true);
      blockOn(words, seen, Math.min(left, CHECK_MS));
    }
  }

  /** A task that gave up (timeout, abort) may leave this thread with none waiting, or a new head. */
  override remove(waiter: Waiter<T>): void {
    super.remove(waiter);
    if (waiter.settled) queueMicrotask(() => this.serveWaiting());
  }

  private async sleep(): Promise<void> {
    this.sleeping = true;
    const words = this.words;
    try {
      // Linger a few turns of the event loop before sleeping: in a stream the next change is
      // usually microseconds away, and a wake-up through the loop costs far more than a look.
      let lingered = 0;
      while (this.length > 0) {
        if (lingered < LINGER_TURNS && Atomics.load(words, SEQ) === this.seen) {
          lingered++;
          await nextTurn();
        } else {
          await sleepOn(words, this.seen, CHECK_MS);
        }
        if (this.length === 0) break;
        const before = this.length;
        this.serveWaiting();
        if (this.length < before) lingered = 0;
      }
    } finally {
      this.sleeping = false;
    }
  }
}
