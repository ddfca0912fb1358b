/**
 * `SharedEvent` — a flag in shared memory that tasks of every thread can wait for
 * (Python's `threading.Event` across real threads).
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import { refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout } from '../core/waiter.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import { ChangeWaiters } from './change-waiters.js';
import { crossShared, registerShared, type SharedDescriptor } from './shared-transport.js';
import { bump, NOT_YET, STATE, underMutex } from './turnstile.js';

const FLAG = STATE;
/** Counts the sets: a waiter whose set came and went (cleared) before its thread looked still sees it. */
const SETS = STATE + 1;
const WORDS = STATE + 2;

/**
 * A boolean flag in shared memory. `wait()` resolves `true` once the flag is set (at once
 * if it already is), or `false` if `timeout` runs out first; a `set()` in any thread wakes
 * the waiters of every thread. Passed to a `Thread` it arrives as a `SharedEvent` on the
 * same memory.
 *
 * @example
 * ```ts
 * const ready = new SharedEvent();
 * const worker = new Thread(async (ready) => {
 *   ready.waitSync(); // a worker may block; the main thread awaits wait()
 * }, { args: [ready] }).start();
 * ready.set();
 * await worker.join();
 * ```
 */
export class SharedEvent {
  /** The event's words; shared by every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly waiters: ChangeWaiters<boolean>;

  /** @param buffer the words of an existing event (how it arrives in a thread); new ones by default. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(WORDS * 4);
    if (this.buffer.byteLength < WORDS * 4) {
      throw new TypeError('SharedEvent: the buffer is too small for an event');
    }
    const words = new Int32Array(this.buffer, 0, WORDS);
    this.words = words;
    this.waiters = new ChangeWaiters<boolean>(words, {
      check: (sets) => (words[FLAG] !== 0 || words[SETS] !== sets ? true : NOT_YET),
    });
  }

  /** Sets the flag and wakes every waiter, in every thread. */
  set(): void {
    const words = this.words;
    underMutex(words, () => {
      words[FLAG] = 1;
      words[SETS] = (words[SETS]! + 1) | 0;
      bump(words);
    });
    if (this.waiters.length > 0) this.waiters.serveAll();
  }

  /** Clears the flag; later `wait`s block until the next `set`. */
  clear(): void {
    const words = this.words;
    underMutex(words, () => {
      words[FLAG] = 0;
    });
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return Atomics.load(this.words, FLAG) !== 0;
  }

  /** Waits for the flag. Resolves `true` when set, `false` on timeout; rejects with the signal's reason when aborted. */
  wait(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      // An already-aborted signal rejects even when the flag is set, as every blocking call does.
      const refused = refuseWait(opts, 'SharedEvent.wait()');
      if (refused) return refused;
    }
    return this.waiters.enqueue(opts, falseOnTimeout, Atomics.load(this.words, SETS));
  }

  /**
   * Blocks this worker thread until the flag is set: `true`, or `false` when `timeout` ran
   * out. A `RuntimeError` on the main thread (use `wait`).
   */
  waitSync(opts?: SyncWaitOptions): boolean {
    const timeout = blockingTimeout(opts, 'SharedEvent.waitSync()');
    return this.waiters.serveBlocking(Atomics.load(this.words, SETS), timeout) === true;
  }

  [CROSS](to: Destination): Crossed {
    return crossShared(this, 'SharedEvent', { className: 'SharedEvent' }, this.buffer, to);
  }
}

registerShared('SharedEvent', (descriptor: SharedDescriptor) => new SharedEvent(descriptor.buffer));
