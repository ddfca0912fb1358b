/**
 * Lock loans, the owner's side: a `Lock` used through a handle by one thread at a time is
 * lent to that thread (as distributed lock services cache a lock with the client that uses
 * it), so its acquires and releases there cost no round trip (lock-loan-handle.ts). To the
 * owner, a lent lock is held by the borrowing thread. The loan is recalled as soon as anyone
 * else asks for the lock — a task of the owner's thread, another handle, a `tryAcquire` that
 * fails — and the borrower gives it back at once if its code does not hold it, or at its
 * code's next release.
 *
 * The borrower tells the owner (one-way, at most once a turn) whether its code holds the
 * lock, so a borrower that dies or disconnects gives the lock back marked `abandoned` only
 * if its code held it as of its last word; a loan idle at its death comes back clean.
 * @module
 */
import { currentIdentity } from '../core/task-identity.js';
import type { ConnectionScope, MethodSpec } from '../remote/served-kind.js';
import { ABANDON, ACQUIRE_FOR, LOAN, type LoanHook, WAITING } from './holder-protocol.js';
import type { Lock } from './lock.js';

/** One lock lent to one handle's connection. */
class Loan implements LoanHook {
  /** Whether a task of the borrower holds the lock, as of its last word. */
  held = true;
  recalled = false;
  /** Answers the borrower's parked `awaitRecall`: `true` to recall, `false` when the loan ended. */
  private answer: ((recall: boolean) => void) | undefined = undefined;

  constructor(
    readonly lock: Lock,
    readonly scope: ConnectionScope,
  ) {}

  recall(): void {
    if (this.recalled) return;
    this.recalled = true;
    this.answer?.(true);
    this.answer = undefined;
  }

  /** The borrower's parked call: settles once the loan is recalled (`true`) or over (`false`). */
  whenRecalled(): Promise<boolean> {
    if (this.recalled) return Promise.resolve(true);
    this.answer?.(false);
    return new Promise((resolve) => {
      this.answer = resolve;
    });
  }

  /** Ends the loan: the lock is the owner's again, released (or taken away, `abandoned`). */
  end(abandoned: boolean): void {
    if (loans.get(this.lock) !== this) return;
    loans.delete(this.lock);
    this.lock[LOAN] = undefined;
    this.answer?.(false);
    this.answer = undefined;
    if (abandoned) this.lock[ABANDON]();
    else this.lock.release();
  }
}

const loans = new WeakMap<Lock, Loan>();
/** The locks lent over each connection, so that its end ends their loans. */
const lentOver = new WeakMap<ConnectionScope, Set<Lock>>();

/** The loan of `lock` over `scope`, if that is where it is lent. */
function loanOf(lock: Lock, scope: ConnectionScope): Loan | undefined {
  const loan = loans.get(lock);
  return loan?.scope === scope ? loan : undefined;
}

function lend(lock: Lock, scope: ConnectionScope): void {
  const loan = new Loan(lock, scope);
  loans.set(lock, loan);
  lock[LOAN] = loan;
  let lent = lentOver.get(scope);
  if (lent === undefined) {
    const locks = new Set<Lock>();
    lent = locks;
    lentOver.set(scope, locks);
    // A borrower gone: its loans end; held as of its last word, the lock comes back abandoned.
    scope.onClose(() => {
      for (const each of locks) loans.get(each)?.end(loans.get(each)!.held);
      locks.clear();
    });
  }
  lent.add(lock);
  // Someone queued while the grant was on its way: recall at once.
  if (lock[WAITING] > 0) loan.recall();
}

/** The methods a lock's handle calls to borrow it, hear of a recall, report and give it back. */
export const loanMethods: Record<string, MethodSpec<Lock>> = {
  /** Waits for the lock and lends it to the calling thread. */
  borrow: {
    waits: true,
    arity: 0,
    run: (lock, _args, opts, scope) =>
      lock[ACQUIRE_FOR](currentIdentity(), opts).then((granted) => {
        if (granted) lend(lock, scope);
        return granted;
      }),
    // Granted to a borrower that is gone: the lock goes back, never seen.
    orphaned: (lock, value, withdrawn) => {
      if (!withdrawn && value === true) loans.get(lock)?.end(false);
    },
  },
  awaitRecall: {
    waits: true,
    arity: 0,
    run: (lock, _args, _opts, scope) => loanOf(lock, scope)?.whenRecalled() ?? false,
  },
  /** Whether the borrower's code holds the lock now. */
  lentHeld: {
    waits: false,
    arity: 1,
    run: (lock, [held], _opts, scope) => {
      const loan = loanOf(lock, scope);
      if (loan !== undefined) loan.held = held === true;
    },
  },
  /** The borrower gives the lock back, free. */
  repay: {
    waits: false,
    arity: 0,
    run: (lock, _args, _opts, scope) => {
      const loan = loanOf(lock, scope);
      if (loan === undefined) return;
      lentOver.get(scope)?.delete(lock);
      loan.end(false);
    },
  },
};
