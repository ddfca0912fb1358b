/**
 * `SharedLock` — a mutual-exclusion lock in shared memory, usable from every thread at once
 * with no owner thread in between (Python's `threading.Lock` across real threads).
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import { refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { guardOf } from '../sync/guard.js';
import { ABANDON } from '../sync/holder-protocol.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import { crossShared, registerShared, type SharedDescriptor } from './shared-transport.js';
import { currentTag, tagAlive } from './thread-tag.js';
import { TURN_WORDS } from './turn-list.js';
import { bump, NOT_YET, STATE, Turnstile, underMutex } from './turnstile.js';

const OWNER = STATE; // the holding thread's tag; 0 when free
const ABANDONED = STATE + 1;
const TURNS = STATE + 2;
const WORDS = TURNS + TURN_WORDS;

/**
 * A lock in shared memory. Passed to a `Thread` (or a thread-pool task) it arrives as a
 * `SharedLock` on the same memory; every thread then takes and releases it directly.
 * Waiters are served in FIFO order: the tasks of one thread in the order they came, the
 * threads in the order they started waiting (a thread served goes to the back of the line
 * if it has more tasks waiting). Like Python's `Lock` it has no owner: any thread may
 * release it. A thread that dies holding it loses it; the next holder sees `abandoned`.
 *
 * @example
 * ```ts
 * const lock = new SharedLock();
 * const counter = new SharedValue('i', 0, { lock: false });
 * await Promise.all([1, 2].map(() => new Thread(async (lock, counter) => {
 *   for (let i = 0; i < 1000; i++) {
 *     using _ = await lock.guard();
 *     counter.value += 1;
 *   }
 * }, { args: [lock, counter] }).start().join()));
 * ```
 */
export class SharedLock {
  /** The lock's words; shared by every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly turnstile: Turnstile<boolean>;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(WORDS * 4);
    if (this.buffer.byteLength < WORDS * 4) {
      throw new TypeError('SharedLock: the buffer is too small for a lock');
    }
    this.words = new Int32Array(this.buffer, 0, WORDS);
    const words = this.words;
    this.turnstile = new Turnstile<boolean>(words, TURNS, {
      serve: (position) => {
        if (words[OWNER] !== 0 || position !== 0) return NOT_YET;
        words[OWNER] = currentTag();
        return true;
      },
      reap: () => reapDeadOwner(words),
    });
  }

  /**
   * Waits for the lock and takes it: `true` once held, `false` when `timeout` ran out;
   * rejects with the signal's reason when aborted, leaving no trace.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'SharedLock.acquire()');
      if (refused) return refused;
    }
    return this.turnstile.enqueue(opts, falseOnTimeout);
  }

  /** Takes the lock if it is free and no thread waits for it; never waits. */
  tryAcquire(): boolean {
    return this.turnstile.tryNow() === true;
  }

  /**
   * Blocks this worker thread until it holds the lock: `true`, or `false` when `timeout` ran
   * out. A `RuntimeError` on the main thread (use `acquire`).
   */
  acquireSync(opts?: SyncWaitOptions): boolean {
    const timeout = blockingTimeout(opts, 'SharedLock.acquireSync()');
    return this.turnstile.serveBlocking(undefined, timeout) === true;
  }

  /** Releases the lock (from any thread) and clears `abandoned`; throws if it is not locked. */
  release(): void {
    const words = this.words;
    underMutex(words, () => {
      reapDeadOwner(words);
      if (words[OWNER] === 0) {
        throw new RuntimeError(
          'SharedLock.release(): the lock is not locked; release only after a successful acquire',
        );
      }
      words[OWNER] = 0;
      words[ABANDONED] = 0;
      bump(words);
    });
  }

  /** Whether some thread holds the lock (one that died holding it does not). */
  locked(): boolean {
    const words = this.words;
    return underMutex(words, () => {
      reapDeadOwner(words);
      return words[OWNER] !== 0;
    });
  }

  /**
   * Whether the lock was taken from a thread that died holding it: what it guards may be
   * half-written. It stays set for the next holder; the next `release()` clears it.
   */
  get abandoned(): boolean {
    return Atomics.load(this.words, ABANDONED) !== 0;
  }

  /** Acquires and returns a `Disposable` that releases: `using _ = await lock.guard()`. */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this, 'SharedLock', opts);
  }

  /** Takes the lock from a holder that is gone (a process that held it through a handle), marked abandoned. */
  [ABANDON](): void {
    const words = this.words;
    underMutex(words, () => {
      if (words[OWNER] === 0) return;
      words[OWNER] = 0;
      words[ABANDONED] = 1;
      bump(words);
    });
  }

  [CROSS](to: Destination): Crossed {
    return crossShared(this, 'SharedLock', { className: 'SharedLock' }, this.buffer, to);
  }
}

/** Frees a lock whose holder died, marked abandoned; `true` if it did (bumped). */
function reapDeadOwner(words: Int32Array): boolean {
  const owner = words[OWNER]!;
  if (owner === 0 || tagAlive(owner)) return false;
  words[OWNER] = 0;
  words[ABANDONED] = 1;
  bump(words);
  return true;
}

registerShared('SharedLock', (descriptor: SharedDescriptor) => new SharedLock(descriptor.buffer));
