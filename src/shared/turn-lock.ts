/**
 * What `SharedLock` and `SharedRLock` share — a holder thread's tag in the words, taken
 * over when that thread dies (`abandoned`), FIFO turns for the waiters, the condition
 * protocol — and the acquire calls every turn-taking primitive makes the same way.
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import { refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout } from '../core/waiter.js';
import { guardOf } from '../sync/guard.js';
import { ABANDON } from '../sync/holder-protocol.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import {
  ACQUIRE_RESTORE,
  ACQUIRE_RESTORE_SYNC,
  IS_OWNED,
  RELEASE_SAVE,
  type SharedConditionLock,
} from './condition-lock.js';
import { crossShared } from './shared-transport.js';
import { currentTag, tagAlive } from './thread-tag.js';
import { TURN_WORDS } from './turn-list.js';
import { bump, NOT_YET, STATE, Turnstile, underMutex } from './turnstile.js';

/** The holding thread's tag; 0 when free. */
export const OWNER = STATE;
export const ABANDONED = STATE + 1;
/** Where the turn list of waiting threads starts. */
export const LOCK_TURNS = STATE + 2;
const TURNS = LOCK_TURNS;
/** The first word a lock kind may use for itself. */
export const LOCK_STATE = TURNS + TURN_WORDS;

/** `acquire(opts)` of a turn-taking primitive: refuses bad options, then takes its turn. */
export function acquireTurn(
  turnstile: Turnstile<boolean>,
  opts: WaitOptions | undefined,
  where: string,
  data?: unknown,
): Promise<boolean> {
  if (opts !== undefined) {
    const refused = refuseWait(opts, where);
    if (refused) return refused;
  }
  return turnstile.enqueue(opts, falseOnTimeout, data);
}

/** `tryAcquire()`: served now only if no task of this thread, and no thread before it, waits. */
export function tryTurn(turnstile: Turnstile<boolean>, data?: unknown): boolean {
  if (turnstile.length > 0) return false;
  return turnstile.tryNow(data) === true;
}

/** `acquireSync(opts)`: blocks this worker thread for its turn; `false` on timeout. */
export function acquireTurnSync(
  turnstile: Turnstile<boolean>,
  opts: SyncWaitOptions | undefined,
  where: string,
  data?: unknown,
): boolean {
  const timeout = blockingTimeout(opts, where);
  return turnstile.serveBlocking(data, timeout) === true;
}

/** A lock in shared memory held by a thread (and what a lock kind adds, in `claim`). */
export abstract class TurnLock implements SharedConditionLock {
  /** The lock's words; shared by every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  protected readonly words: Int32Array;
  protected readonly turnstile: Turnstile<boolean>;

  /**
   * @param kind the class name, for messages and crossing.
   * @param size how many words the lock kind uses in all.
   * @param claim under the mutex, the lock being free: records what the waiter who brought `data` holds.
   */
  protected constructor(
    private readonly kind: string,
    size: number,
    buffer: SharedArrayBuffer | undefined,
    claim: (words: Int32Array, data: unknown) => void,
  ) {
    this.buffer = buffer ?? new SharedArrayBuffer(size * 4);
    if (this.buffer.byteLength < size * 4) {
      throw new TypeError(`${kind}: the buffer is too small for a lock`);
    }
    const words = new Int32Array(this.buffer, 0, size);
    this.words = words;
    this.turnstile = new Turnstile<boolean>(words, TURNS, {
      serve: (position, data) => {
        if (words[OWNER] !== 0 || position !== 0) return NOT_YET;
        words[OWNER] = currentTag();
        claim(words, data);
        return true;
      },
      reap: () => reapDeadOwner(words),
      heldElsewhere: () => words[OWNER] !== 0 && words[OWNER] !== currentTag(),
    });
  }

  abstract acquire(opts?: WaitOptions): Promise<boolean>;
  abstract acquireSync(opts?: SyncWaitOptions): boolean;
  abstract release(): void;
  abstract [IS_OWNED](): boolean;
  abstract [RELEASE_SAVE](): unknown;

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
   * half-written. It stays set for the next holder, until it lets go of the lock.
   */
  get abandoned(): boolean {
    return Atomics.load(this.words, ABANDONED) !== 0;
  }

  /** Acquires and returns a `Disposable` that releases once: `using _ = await lock.guard()`. */
  guard(opts?: WaitOptions): Promise<Disposable> {
    return guardOf(this, this.kind, opts);
  }

  async [ACQUIRE_RESTORE](saved: unknown): Promise<void> {
    await this.turnstile.enqueue(undefined, falseOnTimeout, saved, true);
  }

  [ACQUIRE_RESTORE_SYNC](saved: unknown): void {
    this.turnstile.serveBlocking(saved, undefined);
  }

  [CROSS](to: Destination): Crossed {
    return crossShared(this, this.kind, { className: this.kind }, this.buffer, to);
  }

  /**
   * Takes the lock from a holder that is gone though its thread lives: a process that held
   * it through a handle this thread serves, and was killed. Marked abandoned.
   */
  [ABANDON](): void {
    const words = this.words;
    underMutex(words, () => {
      if (words[OWNER] === 0) return;
      words[OWNER] = 0;
      words[ABANDONED] = 1;
      bump(words);
    });
  }

  /**
   * Under the mutex: frees the lock for the next holder (a new holding is not abandoned),
   * or throws `notHeld()` if nobody holds it.
   */
  protected free(notHeld: () => Error): void {
    const words = this.words;
    this.reap();
    if (words[OWNER] === 0) throw notHeld();
    words[OWNER] = 0;
    words[ABANDONED] = 0;
    bump(words);
  }

  /** Under the mutex: frees the lock if its holding thread died. */
  protected reap(): void {
    reapDeadOwner(this.words);
  }

  /** After a release: this thread's longest waiter, when its thread is next in line, takes the lock at once. */
  protected handOn(): void {
    if (this.turnstile.length > 0) this.turnstile.serveWaiting();
  }
}

/** Under the mutex: frees a lock whose holding thread died, marked abandoned; `true` if it did (bumped). */
function reapDeadOwner(words: Int32Array): boolean {
  const owner = words[OWNER]!;
  // This thread is alive: no need to ask the thread table (a release asks every time).
  if (owner === 0 || owner === currentTag() || tagAlive(owner)) return false;
  words[OWNER] = 0;
  words[ABANDONED] = 1;
  bump(words);
  return true;
}
