/**
 * What the owner's side of every loan shares — a `Lock` lent to the handle that uses it
 * alone (sync/lock-loan.ts), a `SharedDict` lent likewise (manager/dict-loan.ts): the recall
 * a borrower parks for, and the book of what is lent over which connection, so that a
 * connection that closes ends the loans made over it, and only those.
 * @module
 */
import type { ConnectionScope } from './served-kind.js';

/** A loan's recall: the borrower parks on `whenRecalled()` until the owner wants it back. */
export class LoanRecall {
  recalled = false;
  /** Answers the borrower's parked call: `true` to recall, `false` when the loan ended. */
  #answer: ((recall: boolean) => void) | undefined = undefined;

  recall(): void {
    if (this.recalled) return;
    this.recalled = true;
    this.#answer?.(true);
    this.#answer = undefined;
  }

  /** The borrower's parked call: settles once the loan is recalled (`true`) or over (`false`). */
  whenRecalled(): Promise<boolean> {
    if (this.recalled) return Promise.resolve(true);
    this.#answer?.(false);
    return new Promise((resolve) => {
      this.#answer = resolve;
    });
  }

  /** The loan is over: a borrower parked for a recall hears `false`. */
  over(): void {
    this.#answer?.(false);
    this.#answer = undefined;
  }
}

/** The loans of objects of one kind, each lent over one connection at a time. */
export class LoanBook<K extends object, L extends { readonly scope: ConnectionScope }> {
  readonly #loans = new WeakMap<K, L>();
  readonly #lentOver = new WeakMap<ConnectionScope, Set<K>>();

  constructor(
    /** Ends `loan`, whose connection closed (it calls `remove` itself). */
    private readonly closed: (loan: L) => void,
  ) {}

  /** The loan of `key`, over whatever connection. */
  get(key: K): L | undefined {
    return this.#loans.get(key);
  }

  /** The loan of `key` if it is lent over `scope`. */
  over(key: K, scope: ConnectionScope): L | undefined {
    const loan = this.#loans.get(key);
    return loan?.scope === scope ? loan : undefined;
  }

  /** Records `loan` of `key` (lent over `loan.scope`). */
  lend(key: K, loan: L): void {
    this.#loans.set(key, loan);
    const scope = loan.scope;
    let lent = this.#lentOver.get(scope);
    if (lent === undefined) {
      const keys = new Set<K>();
      lent = keys;
      this.#lentOver.set(scope, keys);
      // A borrower gone: the loans it still has end.
      scope.onClose(() => {
        for (const each of [...keys]) {
          const open = this.over(each, scope);
          if (open !== undefined) this.closed(open);
        }
        keys.clear();
      });
    }
    lent.add(key);
  }

  /** Takes `loan` of `key` off the book: `false` when it is not (or no longer) the loan of `key`. */
  remove(key: K, loan: L): boolean {
    if (this.#loans.get(key) !== loan) return false;
    this.#loans.delete(key);
    this.#lentOver.get(loan.scope)?.delete(key);
    return true;
  }
}
