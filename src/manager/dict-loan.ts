/**
 * Dict loans, the owner's side: a `SharedDict` used through a handle by one thread or process
 * at a time is lent to that handle's connection (as distributed lock services let a client
 * cache what it alone uses), so that its reads there cost no round trip
 * (dict-loan-handle.ts). The borrower still sends every change here, in order, without
 * waiting (write-through): the owner's dict is never behind by more than the borrower's
 * last turn, and a borrower that dies loses nothing it had sent.
 *
 * While the dict is lent, a call from anyone else — another handle, the owner's own thread —
 * recalls the loan and waits for it to come back, behind the borrower's changes sent before
 * it; calls so held run in the order they came. A borrower that goes away ends its loan.
 * @module
 */
import { LoanBook, LoanRecall } from '../remote/loan-book.js';
import type { ConnectionScope, MethodSpec } from '../remote/served-kind.js';
import type { DictStore } from './stores.js';

/** One dict lent to one connection. */
class DictLoan extends LoanRecall {
  /** Calls of others held until the loan comes back, in the order they came. */
  private readonly held: (() => void)[] = [];
  private keepAlive: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly store: DictStore,
    readonly scope: ConnectionScope,
  ) {
    super();
  }

  /** Holds `run` until the loan is back, recalling it. */
  hold<R>(run: () => R): Promise<R> {
    this.recall();
    // Someone waits for the loan: this thread stays alive until it is back (the borrower's
    // answer comes on a link that does not keep it alive on its own).
    this.keepAlive ??= setInterval(() => {}, 2 ** 30);
    return new Promise<R>((resolve, reject) => {
      this.held.push(() => {
        try {
          resolve(run());
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** Ends the loan and runs the calls held meanwhile, in order. */
  end(): void {
    if (!loans.remove(this.store, this)) return;
    this.over();
    clearInterval(this.keepAlive);
    for (const run of this.held.splice(0)) run();
  }
}

// A borrower gone: its loans end (what it sent before going was applied in order).
const loans = new LoanBook<DictStore, DictLoan>((loan) => loan.end());

/**
 * `spec`, made to wait while the dict is lent to another connection: the call recalls the
 * loan and runs once it is back, after the calls held before it.
 */
export function heldWhileLent(spec: MethodSpec<DictStore>): MethodSpec<DictStore> {
  return {
    ...spec,
    run(store, args, opts, scope) {
      const loan = loans.get(store);
      if (loan === undefined || loan.scope === scope) return spec.run(store, args, opts, scope);
      return loan.hold(() => spec.run(store, args, opts, scope));
    },
  };
}

/** The methods a dict's handle calls to borrow it, hear of a recall and give it back. */
export const dictLoanMethods: Record<string, MethodSpec<DictStore>> = {
  /**
   * Lends the dict to the calling connection unless it is lent already (to anyone) or the
   * manager ended: resolves to whether it was lent. Never waits, never recalls.
   */
  borrow: {
    waits: false,
    arity: 0,
    run(store, _args, _opts, scope) {
      store.live('borrow');
      if (loans.get(store) !== undefined) return false;
      loans.lend(store, new DictLoan(store, scope));
      return true;
    },
  },
  awaitRecall: {
    waits: true,
    arity: 0,
    run: (store, _args, _opts, scope) => loans.over(store, scope)?.whenRecalled() ?? false,
  },
  /** The borrower gives the dict back (after every change it sent). */
  repay: {
    waits: false,
    arity: 0,
    run(store, _args, _opts, scope) {
      loans.over(store, scope)?.end();
    },
  },
};

/** Ends every loan of `store` (its manager ended): calls held run, and reject as it ended. */
export function endLoan(store: DictStore): void {
  loans.get(store)?.end();
}
