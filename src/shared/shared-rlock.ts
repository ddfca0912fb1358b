/**
 * `SharedRLock` — a reentrant lock in shared memory, owned by a task of a thread (Python's
 * `threading.RLock` across real threads).
 * @module
 */
import { refuseWait, type WaitOptions } from '../core/options.js';
import { currentIdentity, type TaskIdentity } from '../core/task-identity.js';
import { falseOnTimeout, RESOLVED_TRUE } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import { IS_OWNED, RELEASE_SAVE } from './condition-lock.js';
import { registerShared, type SharedDescriptor } from './shared-transport.js';
import { currentTag } from './thread-tag.js';
import { LOCK_STATE, OWNER, TurnLock, tryTurn } from './turn-lock.js';
import { underMutex } from './turnstile.js';

const TASK = LOCK_STATE; // the holding task's number within its thread (0: code outside any task)
const COUNT = LOCK_STATE + 1; // how deep the holder holds it
const WORDS = LOCK_STATE + 2;

/** What a waiter wants: the lock for `task`, held `count` deep (more than 1 when a condition gives it back). */
interface Claim {
  task: number;
  count: number;
}

const taskNumbers = new WeakMap<TaskIdentity, number>();
let lastTaskNumber = 0;

/**
 * The calling task's number in this thread, as the lock's words record it: each task gets
 * one on first use; code outside any task is 0 — the thread itself, as a handle's call
 * from outside any task is (a worker's target runs outside any task).
 */
function taskNumber(): number {
  const identity = currentIdentity();
  if (identity === undefined) return 0;
  let n = taskNumbers.get(identity);
  if (n === undefined) {
    lastTaskNumber = lastTaskNumber === 0x7fffffff ? 1 : lastTaskNumber + 1;
    n = lastTaskNumber;
    taskNumbers.set(identity, n);
  }
  return n;
}

/**
 * A reentrant lock in shared memory: the task that holds it may acquire it again, and must
 * release it as many times. It is owned by a thread and by a task within it (code outside
 * any task counts as one owner per thread — a worker's target, a `acquireSync` caller).
 * Passed to a `Thread` it arrives as a `SharedRLock` on the same memory. Waiters are served
 * FIFO, as `SharedLock`'s; a thread that dies holding it loses it, at every depth, and the
 * next holder sees `abandoned` until it lets go of the lock completely.
 *
 * @example
 * ```ts
 * const rlock = new SharedRLock();
 * await spawn(async () => {
 *   using _outer = await rlock.guard();
 *   using _inner = await rlock.guard(); // same task: does not wait
 * });
 * ```
 */
export class SharedRLock extends TurnLock {
  /** @param buffer the words of an existing lock (how it arrives in a thread); new ones by default. */
  constructor(buffer?: SharedArrayBuffer) {
    super('SharedRLock', WORDS, buffer, (words, data) => {
      const claim = data as Claim;
      words[TASK] = claim.task;
      words[COUNT] = claim.count;
    });
  }

  /**
   * Takes the lock, or deepens the hold if this task already owns it. Resolves `false` on
   * timeout; rejects with the signal's reason when aborted, leaving no trace.
   */
  acquire(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'SharedRLock.acquire()');
      if (refused) return refused;
    }
    const task = taskNumber();
    if (this.deepen(task)) return RESOLVED_TRUE;
    return this.turnstile.enqueue(opts, falseOnTimeout, { task, count: 1 } satisfies Claim);
  }

  /** Takes or deepens the lock if that needs no waiting; never waits. */
  tryAcquire(): boolean {
    const task = taskNumber();
    return this.deepen(task) || tryTurn(this.turnstile, { task, count: 1 } satisfies Claim);
  }

  /**
   * Blocks this worker thread until it holds (or deepens) the lock: `true`, or `false` when
   * `timeout` ran out. A `RuntimeError` on the main thread (use `acquire`).
   */
  acquireSync(opts?: SyncWaitOptions): boolean {
    const timeout = blockingTimeout(opts, 'SharedRLock.acquireSync()');
    const task = taskNumber();
    if (this.deepen(task)) return true;
    return this.turnstile.serveBlocking({ task, count: 1 } satisfies Claim, timeout) === true;
  }

  /** Undoes one acquire by the owning task; the last one frees the lock for the next waiter. */
  release(): void {
    const words = this.words;
    const task = taskNumber();
    underMutex(words, () => {
      this.mustOwn(task);
      if (words[COUNT]! > 1) words[COUNT] = words[COUNT]! - 1;
      else this.free(notHeld);
    });
    this.handOn();
  }

  [IS_OWNED](): boolean {
    const words = this.words;
    const task = taskNumber();
    return underMutex(words, () => words[OWNER] === currentTag() && words[TASK] === task);
  }

  [RELEASE_SAVE](): Claim {
    const words = this.words;
    const task = taskNumber();
    const saved = underMutex(words, () => {
      this.mustOwn(task);
      const claim = { task, count: words[COUNT]! };
      this.free(notHeld);
      return claim;
    });
    this.handOn();
    return saved;
  }

  /** Under the mutex: deepens the hold if `task` of this thread owns the lock. */
  private deepen(task: number): boolean {
    const words = this.words;
    return underMutex(words, () => {
      if (words[OWNER] !== currentTag() || words[TASK] !== task) return false;
      words[COUNT] = words[COUNT]! + 1;
      return true;
    });
  }

  /** Under the mutex: throws unless `task` of this thread owns the lock. */
  private mustOwn(task: number): void {
    const words = this.words;
    this.reap();
    if (words[OWNER] === 0) throw notHeld();
    if (words[OWNER] !== currentTag() || words[TASK] !== task) {
      throw new RuntimeError(
        `SharedRLock.release(): the lock is held by another ${words[OWNER] === currentTag() ? 'task of this thread' : 'thread'}; only the owner may release it`,
      );
    }
  }
}

function notHeld(): RuntimeError {
  return new RuntimeError(
    'SharedRLock.release(): the lock is not held; release only after a successful acquire',
  );
}

registerShared('SharedRLock', (descriptor: SharedDescriptor) => new SharedRLock(descriptor.buffer));
