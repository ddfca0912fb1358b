/**
 * `SharedBarrier` — a meeting point for a fixed number of parties in any threads (Python's
 * `threading.Barrier` across real threads).
 *
 * The words hold the generation, how many have arrived in it, and whether the barrier is
 * broken or its action runs. A waiter remembers its generation and sleeps until the
 * generation changes: it then learns from a small ring of outcomes (one bit for each of the
 * last 32 generations) whether its generation was released or broken — a thread that wakes
 * late still gets the right answer unless 32 generations passed without it, which the
 * other parties cannot do without it, and resets cannot do between two of its turns.
 * @module
 */
import { CROSS, type Crossed, type Destination, type HandleInfo } from '../codec/descriptor.js';
import { describe, invalidTimeout, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import type { Waiter } from '../core/waiter.js';
import { BrokenBarrierError } from '../errors.js';
import { loadedTargetRef, loadTargetRef } from '../portable/load.js';
import { isPortable } from '../portable/portable.js';
import { type TargetRef, targetRef } from '../portable/target-ref.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import { ChangeWaiters } from './change-waiters.js';
import { crossShared, registerShared, type SharedDescriptor } from './shared-transport.js';
import { currentTag, tagAlive } from './thread-tag.js';
import { bump, NOT_YET, STATE, underMutex } from './turnstile.js';

const PARTIES = STATE;
const GEN = STATE + 1;
const COUNT = STATE + 2; // parties waiting in the current generation
const BROKEN = STATE + 3;
const ACTING = STATE + 4; // the tag of the thread whose party runs the action, or 0
const OUTCOMES = STATE + 5; // bit (gen & 31): that generation ended broken
const WORDS = STATE + 6;

/** Options of a `SharedBarrier`. */
export interface SharedBarrierOptions {
  /**
   * Runs once per generation, in the thread of the last party to arrive, before anyone is
   * released; if it throws, the barrier breaks. A barrier with an action crosses into
   * another thread only if the action is portable (it is loaded there).
   */
  action?: (() => void | Promise<void>) | undefined;
  /** Default timeout (ms) for `wait()` calls that do not give their own. */
  timeout?: number | undefined;
}

/** A waiter: not yet arrived (an action runs), or arrived in `gen` as `index`. */
interface Arrival {
  gen: number;
  index: number;
  /** Waits for the running action to end before arriving. */
  early: boolean;
  /** The last party of its generation (released it, or runs the action). */
  last: boolean;
}

/** What the waiter that arrived early gets once it may arrive. */
const ARRIVE = -1;

interface BarrierInfo extends HandleInfo {
  readonly timeout?: number | undefined;
  readonly action?: TargetRef | undefined;
}

/**
 * A meeting point for `parties` parties, tasks of any threads. Each `wait()` parks until
 * `parties` of them wait; then all are released together and the next generation starts.
 * Each wait resolves to its arrival index, `0` to `parties - 1` (the last to arrive gets
 * `parties - 1`). A wait that times out breaks the barrier for everyone (as in `threading`);
 * one aborted by its signal just leaves (as in `asyncio`). A thread that dies while waiting
 * still counts as arrived: give waits a timeout where a party may die.
 *
 * @example
 * ```ts
 * const barrier = new SharedBarrier(3);
 * const worker = async (barrier: SharedBarrier) => {
 *   await setup();
 *   await barrier.wait(); // nobody goes on before all three threads are set up
 * };
 * ```
 */
export class SharedBarrier {
  /** The barrier's words; shared by every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly waiters: ChangeWaiters<number>;
  private readonly action: (() => unknown) | undefined;
  private readonly actionRef: TargetRef | undefined;
  private readonly defaultTimeout: number | undefined;

  /**
   * @param parties how many parties must arrive to release a generation, an integer >= 1.
   * @param buffer the words of an existing barrier (how it arrives in a thread).
   */
  constructor(parties: number, options: SharedBarrierOptions = {}, buffer?: SharedArrayBuffer) {
    const { action, timeout } = options;
    if (action !== undefined && typeof action !== 'function') {
      throw new TypeError(
        `SharedBarrier: options.action must be a function, got ${describe(action)}`,
      );
    }
    if (timeout !== undefined) {
      const err = invalidTimeout(timeout, 'SharedBarrier');
      if (err) throw err;
    }
    if (buffer === undefined) {
      if (!Number.isSafeInteger(parties) || parties < 1 || parties > 0x7fffffff) {
        throw new RangeError(
          `SharedBarrier(parties): parties must be an integer >= 1, got ${describe(parties)}`,
        );
      }
      buffer = new SharedArrayBuffer(WORDS * 4);
      new Int32Array(buffer)[PARTIES] = parties;
    } else if (buffer.byteLength < WORDS * 4) {
      throw new TypeError('SharedBarrier: the buffer is too small for a barrier');
    }
    this.buffer = buffer;
    const words = new Int32Array(buffer, 0, WORDS);
    this.words = words;
    this.action = action;
    this.actionRef =
      action === undefined
        ? undefined
        : isPortable(action)
          ? targetRef(action)
          : loaders.get(action)?.ref;
    this.defaultTimeout = timeout;
    this.waiters = new ChangeWaiters<number>(words, {
      check: (data) => outcome(words, data as Arrival),
      left: (data) => this.leave(data as Arrival),
      reap: () => reapDeadActor(words),
      heldElsewhere: () => words[ACTING] !== 0 && words[ACTING] !== currentTag(),
    });
  }

  /** How many parties must arrive to release a generation. */
  get parties(): number {
    return this.words[PARTIES]!;
  }

  /** How many parties wait in the current generation. */
  get nWaiting(): number {
    return Atomics.load(this.words, COUNT);
  }

  /** Whether the barrier is broken (by `abort()`, a timed-out wait, or a failing action). */
  get broken(): boolean {
    return Atomics.load(this.words, BROKEN) !== 0;
  }

  /**
   * Waits until `parties` parties wait. Resolves to this party's arrival index; rejects
   * with `BrokenBarrierError` if the barrier is or becomes broken.
   */
  async wait(opts?: WaitOptions): Promise<number> {
    const err = invalidWaitOptions(opts, 'SharedBarrier.wait()');
    if (err) throw err;
    // An already-aborted signal must not count as an arrival (it would release the generation).
    if (opts?.signal?.aborted) throw opts.signal.reason;
    const timeout = opts?.timeout ?? this.defaultTimeout;
    const waitOpts = timeout === opts?.timeout ? opts : { timeout, signal: opts?.signal };
    for (;;) {
      const arrival = underMutex(this.words, () => this.arrive());
      if (arrival.early) {
        // The last generation's action runs: arrive once it is over.
        await this.waiters.enqueue({ signal: opts?.signal }, () => ARRIVE, arrival);
        continue;
      }
      if (arrival.last) {
        if (this.action !== undefined) await this.act(arrival.gen, this.action);
        else if (this.waiters.length > 0) this.waiters.serveAll();
        return arrival.index;
      }
      return this.waiters.enqueue(waitOpts, this.timedOut, arrival);
    }
  }

  /**
   * Blocks this worker thread as `wait` does. The action, if it runs here, must be
   * synchronous, and (in a thread the barrier was sent to) already loaded: it is when the
   * module of the thread's target exports it; else a `TypeError`, before arriving. A
   * `RuntimeError` on the main thread.
   */
  waitSync(opts?: SyncWaitOptions): number {
    const timeout = blockingTimeout(opts, 'SharedBarrier.waitSync()') ?? this.defaultTimeout;
    const action = this.action === undefined ? undefined : loaders.get(this.action);
    if (action !== undefined && action.loaded === undefined) {
      throw new TypeError(
        `SharedBarrier.waitSync(): the barrier's action (${action.ref.name}) is still loading in this thread, ` +
          "and a blocked thread could not run it; wait with await barrier.wait() here, or export the action from the module of this thread's target",
      );
    }
    for (;;) {
      const arrival = underMutex(this.words, () => this.arrive());
      if (arrival.early) {
        this.waiters.serveBlocking(arrival, undefined);
        continue;
      }
      if (arrival.last) {
        if (this.action !== undefined) this.actSync(arrival.gen, this.action);
        return arrival.index;
      }
      const value = this.waiters.serveBlocking(arrival, timeout);
      if (value !== NOT_YET) return value;
      return this.timedOut({ data: arrival } as Waiter<number>);
    }
  }

  /** Returns the barrier to its empty, whole state; parties waiting now get `BrokenBarrierError`. */
  reset(): void {
    const words = this.words;
    underMutex(words, () => {
      endGeneration(words, true);
      words[BROKEN] = 0;
    });
    if (this.waiters.length > 0) this.waiters.serveAll();
  }

  /** Breaks the barrier: waiting and future `wait()`s reject with `BrokenBarrierError` until `reset()`. */
  abort(): void {
    underMutex(this.words, () => breakNow(this.words));
    if (this.waiters.length > 0) this.waiters.serveAll();
  }

  [CROSS](to: Destination): Crossed {
    if (this.action !== undefined && this.actionRef === undefined) {
      throw new TypeError(
        'a SharedBarrier with an action crosses into another thread only if the action is portable ' +
          '(export it and mark it: portable(import.meta.url, fn)), since it may run there',
      );
    }
    const info: BarrierInfo = {
      className: 'SharedBarrier',
      timeout: this.defaultTimeout,
      action: this.actionRef,
    };
    return crossShared(this, 'SharedBarrier', info, this.buffer, to);
  }

  /** Under the mutex: counts this party in. */
  private arrive(): Arrival {
    const words = this.words;
    reapDeadActor(words);
    if (words[BROKEN] !== 0) throw brokenError();
    const gen = words[GEN]!;
    if (words[ACTING] !== 0) return { gen, index: -1, early: true, last: false };
    const index = words[COUNT]!;
    const last = index + 1 === words[PARTIES];
    if (!last) words[COUNT] = index + 1;
    else if (this.action !== undefined) {
      words[ACTING] = currentTag();
      // The waiters look again: they now wait on a thread that may die in the action, and
      // must keep their event loops alive to see it (heldElsewhere).
      bump(words);
    } else endGeneration(words, false);
    return { gen, index, early: false, last };
  }

  /** The last party: runs the action, then releases the generation (unless it broke meanwhile). */
  private async act(gen: number, action: () => unknown): Promise<void> {
    try {
      await action();
    } catch (err) {
      this.finish(gen, false);
      throw err;
    }
    this.finish(gen, true);
  }

  private actSync(gen: number, action: () => unknown): void {
    let result: unknown;
    try {
      result = action();
    } catch (err) {
      this.finish(gen, false);
      throw err;
    }
    if (result instanceof Promise) {
      this.finish(gen, false);
      throw new TypeError(
        'SharedBarrier.waitSync(): the action returned a promise, which a blocked thread cannot await; the barrier is now broken',
      );
    }
    this.finish(gen, true);
  }

  private finish(gen: number, ok: boolean): void {
    const words = this.words;
    underMutex(words, () => {
      words[ACTING] = 0;
      bump(words);
      if (words[GEN] !== gen || words[BROKEN] !== 0) return; // reset or aborted meanwhile
      if (ok) endGeneration(words, false);
      else breakNow(words);
    });
    if (this.waiters.length > 0) this.waiters.serveAll();
  }

  /** An arrived party that gave up: an aborted one just leaves; a timed-out one breaks the barrier. */
  private leave(data: Arrival): void {
    if (data.early) return;
    const words = this.words;
    // After the timeout callback, which marks a timed-out wait (index -1).
    queueMicrotask(() => {
      if (data.index < 0) return;
      underMutex(words, () => {
        if (words[GEN] === data.gen && words[BROKEN] === 0) words[COUNT] = words[COUNT]! - 1;
      });
    });
  }

  private readonly timedOut = (waiter: Waiter<number>): number => {
    const data = waiter.data as Arrival;
    const words = this.words;
    const index = data.index;
    data.index = -1;
    return underMutex(words, () => {
      // Released (or broken) before the timer fired: that is the outcome.
      if (words[GEN] !== data.gen || words[BROKEN] !== 0) {
        const settled = outcome(words, { ...data, index });
        if (settled !== NOT_YET) return settled;
      }
      breakNow(words);
      throw new BrokenBarrierError(
        'SharedBarrier.wait(): timed out waiting for the other parties; the barrier is now broken',
      );
    });
  };
}

/** Under the mutex: what an arrived waiter gets now (its index, or a `BrokenBarrierError`), or `NOT_YET`. */
function outcome(words: Int32Array, data: Arrival): number | typeof NOT_YET {
  if (data.early) return words[ACTING] === 0 || words[BROKEN] !== 0 ? ARRIVE : NOT_YET;
  if (words[GEN] !== data.gen) {
    if ((words[OUTCOMES]! & (1 << (data.gen & 31))) !== 0) throw brokenError();
    return data.index;
  }
  if (words[BROKEN] !== 0) throw brokenError();
  return NOT_YET;
}

/** Under the mutex: ends the current generation, released or broken, and starts the next. */
function endGeneration(words: Int32Array, broken: boolean): void {
  const bit = 1 << (words[GEN]! & 31);
  words[OUTCOMES] = broken ? words[OUTCOMES]! | bit : words[OUTCOMES]! & ~bit;
  words[GEN] = (words[GEN]! + 1) | 0;
  words[COUNT] = 0;
  bump(words);
}

/** Under the mutex: a thread that died running the action breaks the barrier (its parties would wait for good); `true` if it did. */
function reapDeadActor(words: Int32Array): boolean {
  const actor = words[ACTING]!;
  if (actor === 0 || tagAlive(actor)) return false;
  words[ACTING] = 0;
  breakNow(words);
  return true;
}

/** Under the mutex: breaks the barrier; its waiters see it at once, later waits until `reset()`. */
function breakNow(words: Int32Array): void {
  words[BROKEN] = 1;
  words[COUNT] = 0;
  bump(words);
}

function brokenError(): BrokenBarrierError {
  return new BrokenBarrierError(
    'SharedBarrier is broken (aborted, a wait timed out, or its action failed); call reset() to use it again',
  );
}

/** A portable action a barrier brought into this thread: loaded, or loading. */
interface ActionLoad {
  readonly ref: TargetRef;
  loaded: (() => unknown) | undefined;
}

/** The actions of barriers that arrived here, with the portable action each runs. */
const loaders = new WeakMap<() => unknown, ActionLoad>();

/**
 * The action `ref` names: at once if its module is loaded here (a thread's target module
 * usually defines it), else loading from now on — a `waitSync` cannot wait for that.
 */
function loadAction(ref: TargetRef): () => unknown {
  const load: ActionLoad = { ref, loaded: loadedTargetRef(ref) };
  let loading: Promise<void> | undefined;
  if (load.loaded === undefined) {
    loading = loadTargetRef(ref).then((fn) => {
      load.loaded = fn;
    });
    // A failed load fails the action when it runs, breaking the barrier; not before.
    loading.catch(() => {});
  }
  const action = () =>
    load.loaded !== undefined ? load.loaded() : loading!.then(() => load.loaded!());
  loaders.set(action, load);
  return action;
}

registerShared('SharedBarrier', (descriptor: SharedDescriptor) => {
  const info = descriptor.info as BarrierInfo;
  const action = info.action === undefined ? undefined : loadAction(info.action);
  return new SharedBarrier(0, { action: action as () => void }, descriptor.buffer);
});
