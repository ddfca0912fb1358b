/**
 * Dict loans, the borrower's side: a `SharedDict` handle that keeps calling its dict asks the
 * owner to lend it (dict-loan.ts). While lent, the handle reads what it knows here — values
 * it wrote or read that are primitives (a number, a string, …: nothing a caller could change
 * in place) — with no round trip, and sends every change on to the owner without waiting
 * (sets sent ahead). Nobody else can change the dict meanwhile: their calls wait at the owner
 * until the loan comes back.
 *
 * The loan goes back when the owner recalls it (someone else called), when this handle has
 * not been used for `LOAN_IDLE_MS` (so a thread that moved on does not make the next caller
 * wait for a recall), before this thread blocks in a `*Sync` call, and when the handle
 * closes. A handle whose loans keep being recalled soon asks less and less often.
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { HandleLink } from '../remote/handle.js';
import { beforeBlocking } from '../remote/outbox.js';
import type { DictKey } from './stores.js';

const NO_ARGS: readonly unknown[] = [];
/** Calls on a handle with no loan before it asks for one (at first, and after a loan that paid off). */
const BORROW_AFTER = 8;
/** The most calls a handle whose loans are recalled early waits before asking again. */
const MOST_BORROW_AFTER = 4_096;
/** A loan unused this long (ms) goes back. */
export const LOAN_IDLE_MS = 5;

/** Marks a key whose value is not known here. */
export const UNKNOWN: unique symbol = Symbol('weft.unknown');

/** Why the parked wait for a recall is withdrawn (the loan went back). */
const WITHDRAWN = new Error('the dict loan went back');

/** Whether `value` can be handed out as it is, many times (nothing a caller can change in place). */
function keptAsIs(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/** One dict handle's loans. */
export class DictBorrower {
  private state: 'none' | 'borrowing' | 'lent' = 'none';
  /** Calls since the last loan ended (or the handle was made). */
  private calls = 0;
  private borrowAfter = BORROW_AFTER;
  /** Calls served here during the current loan. */
  private servedHere = 0;
  /** Values known here, while lent. */
  private readonly known = new Map<DictKey, unknown>();
  private controller: AbortController | undefined = undefined;
  private usedSinceLook = false;
  /** Counts the loans granted, so that an answer asked for during one is not learnt in the next. */
  private loans = 0;
  /** Counts this handle's changes, so that an answer asked for before one is not learnt after it. */
  private changes = 0;
  /** Calls of this loan that may change the dict, asked of the owner and not answered yet. */
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly link: HandleLink,
    /** Whether a change sent ahead still waits for its answer (then the loan is in use). */
    private readonly changesInFlight: () => boolean,
  ) {}

  /** Counts a call of the handle; asks for a loan once there were enough. */
  used(): void {
    this.usedSinceLook = true;
    if (this.state === 'none' && ++this.calls >= this.borrowAfter && !this.link.closed) {
      this.borrow();
    }
  }

  /** Whether the dict is lent here now (its changes then go ahead; nobody else changes it). */
  get lent(): boolean {
    return this.state === 'lent';
  }

  /** The value of `key` as known here, or `UNKNOWN`: ask the owner. */
  read(key: DictKey): unknown {
    if (this.state !== 'lent' || !this.known.has(key)) return UNKNOWN;
    this.usedSinceLook = true;
    this.servedHere++;
    return this.known.get(key);
  }

  /** `key` holds `value` now: this handle wrote it, while lent. */
  learn(key: DictKey, value: unknown): void {
    if (this.state !== 'lent') return;
    this.changes++;
    this.note(key, value);
  }

  private note(key: DictKey, value: unknown): void {
    if (keptAsIs(value)) this.known.set(key, value);
    else this.known.delete(key);
  }

  /**
   * Learns what `key` holds from the answer to a call made now — if it comes during this
   * same loan and this handle changed nothing since the call (an answer is then the owner's
   * value as of now: nobody else could change it; after a change made here, it is older).
   */
  learner(key: DictKey, own = false): (value: unknown) => void {
    const loan = this.loans;
    const changes = this.changes;
    // A change asked of the owner before this call and not answered yet makes its answer old.
    if (this.pending !== (own ? 1 : 0)) return ignore;
    return (value) => {
      if (this.loans === loan && this.changes === changes) this.note(key, value);
    };
  }

  /**
   * A call that may change the dict goes to the owner now (while lent): what was asked
   * before it is older. Returns what to call once it is answered.
   */
  changing(): () => void {
    this.changes++;
    this.pending++;
    const loan = this.loans;
    return () => {
      if (this.loans === loan) this.pending--;
    };
  }

  /** The value of `key` is not known here any more (this handle changes it through the owner). */
  forget(key: DictKey): void {
    this.changes++;
    this.known.delete(key);
  }

  /** No value is known here any more (a change to the whole dict). */
  forgetAll(): void {
    this.changes++;
    this.known.clear();
  }

  /** Counts a call served here without the owner (a change sent ahead while lent). */
  servedAhead(): void {
    this.servedHere++;
  }

  private borrow(): void {
    this.state = 'borrowing';
    this.link.callForThread('borrow', NO_ARGS).then(
      (lent) => {
        if (this.state !== 'borrowing') return;
        if (lent === true && !this.link.closed) this.granted();
        else this.over();
      },
      () => this.over(),
    );
  }

  private granted(): void {
    this.state = 'lent';
    this.loans++;
    this.servedHere = 0;
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    this.controller = controller;
    // Parked until someone else calls; it must not keep this thread alive.
    this.link.waitForThread('awaitRecall', NO_ARGS, controller.signal, false).then(
      (recall) => {
        if (this.controller !== controller) return;
        if (recall === true) this.repay();
        else this.over();
      },
      () => {
        if (this.controller === controller) this.over();
      },
    );
    lentHere.add(this);
    this.usedSinceLook = true;
    this.idleTimer = setInterval(this.look, LOAN_IDLE_MS);
    this.idleTimer.unref();
  }

  /** Gives the loan back (after every change sent: they go first, in order). */
  repay(): void {
    if (this.state !== 'lent') return;
    this.over();
    this.link.callForThread('repay', NO_ARGS).catch(() => {});
  }

  /** The loan ended (given back, ended by the owner, or refused): nothing is known here. */
  private over(): void {
    const wasLent = this.state === 'lent';
    this.state = 'none';
    // An answer still on its way belongs to the loan that ended.
    if (wasLent) this.loans++;
    this.pending = 0;
    this.calls = 0;
    this.known.clear();
    clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    lentHere.delete(this);
    this.controller?.abort(WITHDRAWN);
    this.controller = undefined;
    // A loan that served less than it took to get gives way to the owner for longer.
    if (!wasLent || this.servedHere < this.borrowAfter) {
      this.borrowAfter = Math.min(this.borrowAfter * 2, MOST_BORROW_AFTER);
    } else this.borrowAfter = BORROW_AFTER;
  }

  private readonly look = (): void => {
    if (this.usedSinceLook || this.changesInFlight()) {
      this.usedSinceLook = false;
      return;
    }
    this.repay();
  };
}

function ignore(): void {}

/** The loans held in this thread, given back before it blocks. */
const lentHere = new Set<DictBorrower>();

beforeBlocking(() => {
  for (const borrower of [...lentHere]) borrower.repay();
});
