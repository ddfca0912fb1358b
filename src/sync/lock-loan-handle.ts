/**
 * Lock loans, the borrower's side: a `LockHandle` on a `Lock` borrows the lock for its whole
 * thread (lock-loan.ts) and, while the loan lasts, serves its tasks' acquires and releases
 * here, with no round trip. Tasks of this thread wait for it here, in FIFO order, with their
 * own timeouts, signals and kills (the shared waiter core). The loan goes back to the owner
 * when the owner recalls it (someone else asked), at once if no task here holds the lock,
 * else at the next release — and the tasks still waiting here then queue at the owner
 * behind whoever asked, through a new loan.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { atTargetEnd } from '../core/target-end.js';
import { falseOnTimeout, RESOLVED_TRUE, RESOLVED_VOID, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import type { HandleLink } from '../remote/handle.js';
import { beforeFlush } from '../remote/outbox.js';

const NO_ARGS: readonly unknown[] = [];

/** Why a borrow or a wait for a recall is withdrawn here (the loan is no longer wanted or over). */
const WITHDRAWN = new Error('the lock loan is no longer wanted');

/** One handle's loan of a `Lock`. */
export class LockLoan {
  private state: 'none' | 'borrowing' | 'lent' = 'none';
  /** Whether a task of this thread holds the lock (while lent). */
  private held = false;
  private recalled = false;
  /** Tasks of this thread waiting for the lock, while a borrow is on its way or the loan is held. */
  private readonly waiters = new WaiterQueue<boolean>();
  /** Withdraws the borrow on its way, or the parked wait for a recall. */
  private controller: AbortController | undefined = undefined;
  /** What the owner was last told: whether a task here holds the lock. */
  private told = true;
  private telling = false;
  /** The owner's `abandoned` is stale once a task here released the lock. */
  private releasedHere = false;

  constructor(private readonly link: HandleLink) {}

  /** Whether the lock is lent here now (its state is known here). */
  get lent(): boolean {
    return this.state === 'lent';
  }

  /** Whether a task here holds the lock (while lent). */
  get heldHere(): boolean {
    return this.held;
  }

  /** Whether `abandoned` as the owner last said it still applies. */
  get abandonedStillApplies(): boolean {
    return !this.releasedHere;
  }

  /** Acquires here; `undefined`: a try without waiting while not lent here, to ask of the owner. */
  acquire(opts: WaitOptions | undefined): Promise<boolean> | undefined {
    const invalid = invalidWaitOptions(opts, `${this.link.info.className}.acquire`);
    if (invalid) return Promise.reject(invalid);
    if (opts?.signal?.aborted) return Promise.reject(opts.signal.reason);
    // Only the owner knows whether the lock is free now (a borrow withdrawn, still on its way, holds nothing).
    if (opts?.timeout === 0 && this.state !== 'lent' && this.waiters.length === 0) return undefined;
    if (this.state === 'lent' && !this.held && !this.recalled && this.waiters.length === 0) {
      this.hold();
      return RESOLVED_TRUE;
    }
    const granted = this.waiters.wait(opts, falseOnTimeout);
    if (this.state === 'none') this.borrow();
    granted.then(this.maybeGaveUp, this.gaveUp);
    return granted;
  }

  /** Takes the lock if it is lent here and free; `undefined`: ask the owner. */
  tryAcquire(): boolean | undefined {
    if (this.state !== 'lent') return this.waiters.length === 0 ? undefined : false;
    if (this.held || this.recalled || this.waiters.length > 0) return false;
    this.hold();
    return true;
  }

  /** Releases the lock held here; `undefined`: not lent here, ask the owner. */
  release(): Promise<void> | undefined {
    // Called before the acquire it follows was answered: it goes after that answer.
    if (this.state === 'borrowing')
      return this.borrowed!.then(() => this.release() ?? this.ownerRelease());
    if (this.state !== 'lent') return undefined;
    if (!this.held) {
      return Promise.reject(
        new RuntimeError(
          `${this.link.info.className}.release(): the lock is not locked; release only after a successful acquire`,
        ),
      );
    }
    this.releasedHere = true;
    if (this.recalled) {
      this.held = false;
      this.repay();
    } else if (!this.handToWaiter()) {
      this.held = false;
      this.tell();
    }
    return RESOLVED_VOID;
  }

  private hold(): void {
    this.held = true;
    this.tell();
  }

  /** Hands the lock to the longest-waiting task here; `false` when none took it. */
  private handToWaiter(): boolean {
    for (let waiter = this.waiters.shift(); waiter !== null; waiter = this.waiters.shift()) {
      if (waiter.resolve(true)) return true;
    }
    return false;
  }

  private borrow(): void {
    this.state = 'borrowing';
    const controller = withdrawable();
    this.controller = controller;
    this.borrowed = this.link.waitForThread('borrow', NO_ARGS, controller.signal, true).then(
      () => this.granted(),
      (err: unknown) => this.refused(err, controller.signal),
    );
  }

  /** Settles once the borrow on its way was answered. */
  private borrowed: Promise<void> | undefined = undefined;

  private ownerRelease(): Promise<void> {
    return this.link.call('release', NO_ARGS) as Promise<void>;
  }

  private granted(): void {
    this.state = 'lent';
    this.recalled = false;
    this.releasedHere = false;
    this.held = this.handToWaiter();
    // The owner takes the lock as held by this thread until told otherwise.
    this.told = true;
    if (!this.held) this.tell();
    const controller = withdrawable();
    this.controller = controller;
    // Parked until someone else wants the lock; it must not keep this thread alive.
    this.link.waitForThread('awaitRecall', NO_ARGS, controller.signal, false).then(
      (recall) => {
        if (recall === true && this.controller === controller) this.recall();
      },
      () => {},
    );
  }

  private refused(err: unknown, signal: AbortSignal): void {
    this.state = 'none';
    this.controller = undefined;
    if (signal.aborted) {
      // Withdrawn because nobody here waits any more; a task that asked since borrows anew.
      if (this.waiters.length > 0) this.borrow();
      return;
    }
    // The handle lost its owner: every task waiting here hears why.
    for (let waiter = this.waiters.shift(); waiter !== null; waiter = this.waiters.shift()) {
      waiter.reject(err);
    }
  }

  private recall(): void {
    this.recalled = true;
    if (!this.held) this.repay();
  }

  /** Gives the loan back; tasks still waiting here borrow anew, behind whoever asked. */
  private repay(): void {
    this.state = 'none';
    this.recalled = false;
    this.controller?.abort(WITHDRAWN);
    this.controller = undefined;
    this.link.callForThread('repay', NO_ARGS).catch(() => {});
    if (this.waiters.length > 0) this.borrow();
  }

  /** A task gave up waiting: with nobody else waiting, a borrow on its way is withdrawn. */
  private readonly gaveUp = (): void => {
    if (this.state === 'borrowing' && this.waiters.length === 0) this.controller?.abort(WITHDRAWN);
  };

  private readonly maybeGaveUp = (granted: boolean): void => {
    if (!granted) this.gaveUp();
  };

  /** Tells the owner whether a task here holds the lock, once this turn is over. */
  private tell(): void {
    if (this.telling) return;
    this.telling = true;
    untold.add(this);
    if (!tellScheduled) {
      tellScheduled = true;
      setImmediate(tellAll);
    }
  }

  /** @internal Sends what the owner was not told yet. */
  tellNow(): void {
    this.telling = false;
    if (this.state !== 'lent' || this.told === this.held) return;
    this.told = this.held;
    this.link.callForThread('lentHeld', [this.held]).catch(() => {});
  }
}

/** Loans whose owner has not heard yet whether a task here holds the lock. */
const untold = new Set<LockLoan>();
let tellScheduled = false;

/** Tells every owner what it was not told yet; also when this thread's target ends. */
function tellAll(): void {
  tellScheduled = false;
  if (untold.size === 0) return;
  const loans = [...untold];
  untold.clear();
  for (const loan of loans) loan.tellNow();
}

atTargetEnd(tellAll);
// Whatever this thread sends next (a call on another handle saying "done"), the owner hears
// of the loan first: at the end of the turn could be too late for a thread that then blocks.
beforeFlush(tellAll);

function withdrawable(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
