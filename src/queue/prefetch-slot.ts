/**
 * One call a queue handle's prefetch (queue-prefetch.ts) has on its way to the owner — a
 * batch fetched ahead, a plain get, a `getNowait` — and how such calls are withdrawn.
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { Waiter } from '../core/waiter.js';
import type { HeldAnswer } from '../remote/handle.js';

/** A call on its way to the owner, filled in when it is answered. */
export interface Slot {
  readonly count: number;
  readonly whole: boolean;
  held: HeldAnswer | undefined;
  /** Why it failed (`NONE` while it has not). */
  error: unknown;
  readonly signal: AbortSignal;
  /**
   * A plain get's own way to withdraw it (it also goes with the rest, see `withdrawAll`):
   * made for one get that waits, it goes alone when that get gives up.
   */
  readonly own: AbortController | undefined;
  /** A `getNowait`'s own call: the get its failure goes to. */
  readonly nowait: Waiter<unknown> | undefined;
}

/** No error (an error may be any value, `undefined` included). */
export const NONE: unique symbol = Symbol('none');

/** Whether `slot`'s call is not answered yet. */
export function pending(slot: Slot): boolean {
  return slot.held === undefined && slot.error === NONE;
}

/** The signal of a call nobody withdraws (a `getNowait`, which answers at once). */
export const NEVER: AbortSignal = new AbortController().signal;

/** The abort reason of the calls the consumer withdraws (it stopped, or a get gave up). */
export const STOPPED: Error = new Error('the consumer stopped fetching ahead');

/** A controller whose signal every batch in flight listens to. */
export function listenedBy(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
