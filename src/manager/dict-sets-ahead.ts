/**
 * Sets sent ahead: a `SharedDict.set()` whose answer carries nothing resolves once its key
 * is checked and its value encoded, and goes to the owner without waiting for an answer —
 * so a loop of `await dict.set(...)`, or a set then a get, pays no round trip for the set.
 *
 * A handle sends its sets ahead once the owner answered one of them (a set the owner
 * refused stops it until another is answered). A handle's calls reach the owner in the
 * order they were made, so a later call on the same handle sees the set (read your
 * writes). A set sent ahead can fail at the owner only when its manager was shut down
 * meanwhile, the owner is gone, or its value holds an instance of a portable class the
 * owner cannot load: then the handle's next call rejects with that error instead of being
 * sent (after a shutdown or with the owner gone, every call would).
 * @module
 */
import { RESOLVED_VOID } from '../core/waiter.js';
import type { HandleLink } from '../remote/handle.js';

/** Sets of one handle sent ahead and not answered yet, at most: then a set waits for its answer. */
export const SETS_AHEAD = 256;
/**
 * The same while the dict is lent to the handle: its reads then cost nothing, so its loop
 * runs far ahead of the owner's answers, and a wait every 256 sets would be its only cost.
 */
export const SETS_AHEAD_LENT = 4_096;

/** No failure of a set sent ahead is waiting to be reported. */
const NONE: unique symbol = Symbol('weft.none');

/** One dict handle's sets: sent ahead while the owner allows it. */
export class SetsAhead {
  /** The owner answered this handle's last set: sets may go ahead. */
  private allowed = false;
  /** Sets sent ahead whose answer has not come. */
  private inFlight = 0;
  /** Why a set sent ahead failed, for the handle's next call. */
  private failure: unknown = NONE;

  constructor(private readonly link: HandleLink) {}

  /** Whether a set sent ahead still waits for its answer. */
  get waiting(): boolean {
    return this.inFlight > 0;
  }

  /**
   * `SharedDict.set(key, value)` (its key checked), or another change sent ahead as a set;
   * `lent`: the dict is lent to this handle, so the set goes ahead whatever the last answer.
   */
  set(key: unknown, value: unknown, lent = false): Promise<void> {
    const most = lent ? SETS_AHEAD_LENT : SETS_AHEAD;
    if ((!this.allowed && !lent) || this.inFlight >= most || this.link.closed) {
      return this.link.call('set', [key, value]).then(this.answered);
    }
    let answer: Promise<unknown>;
    try {
      answer = this.link.callAhead('set', [key, value]);
    } catch (err) {
      // Nothing was sent.
      return Promise.reject(err);
    }
    this.inFlight++;
    answer.then(this.sentAheadAnswered, this.sentAheadFailed);
    return RESOLVED_VOID;
  }

  /**
   * The failure of a set sent ahead that no call reported yet, forgotten once returned: the
   * handle's next call rejects with it.
   */
  takeFailure(): { error: unknown } | undefined {
    if (this.failure === NONE) return undefined;
    const error = this.failure;
    this.failure = NONE;
    return { error };
  }

  private readonly answered = (allowed: unknown): void => {
    this.allowed = allowed === true;
  };

  private readonly sentAheadAnswered = (allowed: unknown): void => {
    this.inFlight--;
    this.allowed = allowed === true;
  };

  private readonly sentAheadFailed = (err: unknown): void => {
    this.inFlight--;
    this.allowed = false;
    if (this.failure === NONE) this.failure = err;
  };
}
