/**
 * `SharedSemaphore` and `SharedBoundedSemaphore` — counters of permits in shared memory
 * (Python's `threading.Semaphore` / `BoundedSemaphore` across real threads).
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import { describe, type WaitOptions } from '../core/options.js';
import { RuntimeError } from '../errors.js';
import { guardOf } from '../sync/guard.js';
import type { SyncWaitOptions } from './blocking.js';
import { crossShared, registerShared, type SharedDescriptor } from './shared-transport.js';
import { TURN_WORDS } from './turn-list.js';
import { acquireTurn, acquireTurnSync, tryTurn } from './turn-lock.js';
import { bump, NOT_YET, STATE, Turnstile, underMutex } from './turnstile.js';

const VALUE = STATE;
const BOUND = STATE + 1; // -1: unbounded
const TURNS = STATE + 2;
/** Where the turn list of waiting threads starts. */
export const SEMAPHORE_TURNS = TURNS;
const WORDS = TURNS + TURN_WORDS;

/**
 * A counter of permits in shared memory, usable from every thread at once. `acquire` takes
 * one, waiting while there are none; `release(n)` gives them back. Waiters are served FIFO
 * (the tasks of one thread in order, the threads in the order they started waiting): a
 * released permit goes to the thread that waits longest, never to a newcomer. A thread that
 * dies holding permits does not give them back (a semaphore has no owner).
 *
 * @example
 * ```ts
 * const slots = new SharedSemaphore(2); // at most two threads inside at once
 * await Promise.all([1, 2, 3].map(() => new Thread(async (slots) => {
 *   using _ = await slots.guard();
 *   // ... use the scarce resource ...
 * }, { args: [slots] }).start().join()));
 * ```
 */
export class SharedSemaphore {
  /** The semaphore's words; shared by every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  protected readonly words: Int32Array;
  private readonly turnstile: Turnstile<boolean>;

  /**
   * @param value initial number of permits, an integer >= 0 (default 1).
   * @param buffer the words of an existing semaphore (how it arrives in a thread); `value` is then ignored.
   */
  constructor(value = 1, buffer?: SharedArrayBuffer) {
    const className = new.target.name;
    if (buffer === undefined) {
      if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
        throw new RangeError(
          `${className}: initial value must be an integer >= 0 (at most 2^31 - 1), got ${describe(value)}`,
        );
      }
      buffer = new SharedArrayBuffer(WORDS * 4);
      const words = new Int32Array(buffer);
      words[VALUE] = value;
      words[BOUND] = -1;
    } else if (buffer.byteLength < WORDS * 4) {
      throw new TypeError(`${className}: the buffer is too small for a semaphore`);
    }
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, WORDS);
    const words = this.words;
    this.turnstile = new Turnstile<boolean>(words, TURNS, {
      // The k-th thread in line may take a permit only if there are more than k: those
      // before it get theirs first.
      serve: (position) => {
        if (words[VALUE]! <= position) return NOT_YET;
        words[VALUE] = words[VALUE]! - 1;
        return true;
      },
    });
  }

  /** Permits available now. */
  get value(): number {
    return Atomics.load(this.words, VALUE);
  }

  /**
   * Takes a permit, waiting for one. Resolves `false` on timeout; rejects with the signal's
   * reason when aborted, leaving no trace.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    return acquireTurn(this.turnstile, opts, `${this.constructor.name}.acquire()`);
  }

  /** Takes a permit if one is free now and nobody waits for it; never waits. */
  tryAcquire(): boolean {
    return tryTurn(this.turnstile);
  }

  /**
   * Blocks this worker thread until it has a permit: `true`, or `false` when `timeout` ran
   * out. A `RuntimeError` on the main thread (use `acquire`).
   */
  acquireSync(opts?: SyncWaitOptions): boolean {
    return acquireTurnSync(this.turnstile, opts, `${this.constructor.name}.acquireSync()`);
  }

  /** Returns `n` permits (default 1), from any thread; the longest waiters get them first. */
  release(n = 1): void {
    const className = this.constructor.name;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(
        `${className}.release(n): n must be an integer >= 1, got ${describe(n)}`,
      );
    }
    const words = this.words;
    underMutex(words, () => {
      const value = words[VALUE]!;
      const bound = words[BOUND]!;
      if (bound >= 0 && value + n > bound) {
        throw new RuntimeError(
          `${className}.release(${n}): released too many times — ${bound - value} permit(s) are held, bound is ${bound}`,
        );
      }
      if (value + n > 0x7fffffff) {
        throw new RangeError(`${className}.release(${n}): more than 2^31 - 1 permits`);
      }
      words[VALUE] = value + n;
      bump(words);
    });
    // This thread's own waiters, when next in line, get theirs at once.
    if (this.turnstile.length > 0) this.turnstile.serveWaiting();
  }

  /** Acquires and returns a `Disposable` that releases once; rejects with `TimeoutError` on timeout. */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this, this.constructor.name, opts);
  }

  [CROSS](to: Destination): Crossed {
    const kind = this.words[BOUND]! >= 0 ? 'SharedBoundedSemaphore' : 'SharedSemaphore';
    return crossShared(this, kind, { className: kind }, this.buffer, to);
  }
}

/**
 * A shared semaphore that refuses to be released above its initial value — the usual sign
 * of a release without a matching acquire.
 *
 * @example
 * ```ts
 * const pool = new SharedBoundedSemaphore(2);
 * pool.release(); // throws RuntimeError: released too many times
 * ```
 */
export class SharedBoundedSemaphore extends SharedSemaphore {
  /** @param value initial number of permits, and the most there may ever be (default 1). */
  constructor(value = 1, buffer?: SharedArrayBuffer) {
    super(value, buffer);
    if (buffer === undefined) this.words[BOUND] = value;
  }

  /** The initial value, which `value` may never exceed. */
  get bound(): number {
    return this.words[BOUND]!;
  }
}

registerShared('SharedSemaphore', (d: SharedDescriptor) => new SharedSemaphore(1, d.buffer));
registerShared(
  'SharedBoundedSemaphore',
  (d: SharedDescriptor) => new SharedBoundedSemaphore(1, d.buffer),
);
