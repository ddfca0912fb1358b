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
import { LoanBook, LoanRecall } from '../remote/loan-book.js';
import type { ConnectionScope, MethodSpec } from '../remote/served-kind.js';
import { ABANDON, ACQUIRE_FOR, LOAN, type LoanHook, WAITING } from './holder-protocol.js';
import type { Lock } from './lock.js';

/** One lock lent to one handle's connection. */
class Loan extends LoanRecall implements LoanHook {
  /** Whether a task of the borrower holds the lock, as of its last word. */
  held = true;

  constructor(
    readonly lock: Lock,
    readonly scope: ConnectionScope,
  ) {
    super();
  }

  /** Ends the loan: the lock is the owner's again, released (or taken away, `abandoned`). */
  end(abandoned: boolean): void {
    if (!loans.remove(this.lock, this)) return;
    this.lock[LOAN] = undefined;
    this.over();
    if (abandoned) this.lock[ABANDON]();
    else this.lock.release();
  }
}

// A borrower gone: held as of its last word, the lock comes back abandoned.
const loans = new LoanBook<Lock, Loan>((loan) => loan.end(loan.held));

function lend(lock: Lock, scope: ConnectionScope): void {
  const loan = new Loan(lock, scope);
  loans.lend(lock, loan);
  lock[LOAN] = loan;
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
    run: (lock, _args, _opts, scope) => loans.over(lock, scope)?.whenRecalled() ?? false,
  },
  /** Whether the borrower's code holds the lock now. */
  lentHeld: {
    waits: false,
    arity: 1,
    run: (lock, [held], _opts, scope) => {
      const loan = loans.over(lock, scope);
      if (loan !== undefined) loan.held = held === true;
    },
  },
  /** The borrower gives the lock back, free. */
  repay: {
    waits: false,
    arity: 0,
    run: (lock, _args, _opts, scope) => {
      loans.over(lock, scope)?.end(false);
    },
  },
};
