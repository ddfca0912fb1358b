/**
 * Confirmations: a handle link tells the owner which answers that handed something over (a
 * queue item) reached this thread's code, so the owner gives back only what never arrived.
 * A link holding answers not confirmed yet is listed here; once a turn (after the turn's
 * code and what it deferred) and when this thread's or process's target ends, every listed
 * link sends its confirmations.
 * @module
 */
import { atTargetEnd } from '../core/target-end.js';
import { flushDeferred } from './outbox.js';

/** A link with confirmations to send (a `RemoteLink`). */
interface Confirming {
  flushConfirms(): void;
}

/** Links holding answers they have not confirmed to their owner yet. */
export const unconfirmed = new Set<Confirming>();
let flushScheduled = false;
// A thread or process that ends confirms what its target received (see flushConfirmations),
// and sends the calls it deferred to the end of the turn.
atTargetEnd(flushDeferred);
atTargetEnd(flushConfirmations);

/**
 * Lists `link`, which now holds answers not confirmed yet, and schedules the turn's flush
 * (once a turn, whatever the number of links).
 */
export function confirmThisTurn(link: Confirming): void {
  unconfirmed.add(link);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushConfirmationsOnce);
  }
}

/** The turn's scheduled flush of confirmations. */
function flushConfirmationsOnce(): void {
  flushScheduled = false;
  if (unconfirmed.size === 0) return;
  // Once the turn's code has run with the items, and after what that code deferred (its
  // puts under credits): an item is never confirmed before what its code did with it has
  // gone, so a consumer killed in between has the item given back (at least once), never
  // lost.
  flushDeferred();
  flushConfirmations();
}

/**
 * Confirms to their owners every answer that handed something over (a queue item) and is
 * not confirmed yet. Runs once a turn; a thread or process that ends calls it first, so an
 * item it received is not given back to the queue as if it never arrived.
 */
export function flushConfirmations(): void {
  if (unconfirmed.size === 0) return;
  const links = [...unconfirmed];
  unconfirmed.clear();
  for (const link of links) link.flushConfirms();
}
