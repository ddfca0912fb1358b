/**
 * What a `Task` keeps apart so that a task that just runs and ends stays small: the rarely
 * used part of its state, and the test for a promise it can follow without a closure.
 * @module
 */
import type { WaiterQueue } from '../core/waiter.js';

/** The rarely used state of a task (see `Task.extras`). */
export class TaskExtras<T> {
  killed = false;
  killReason: unknown = undefined;
  controller: AbortController | undefined = undefined;
  /** Signals of the cancel scopes (task groups) open in the task, innermost last. */
  scopes: AbortSignal[] | undefined = undefined;
  held: number[] | undefined = undefined;
  waiters: WaiterQueue<boolean> | undefined = undefined;
  settledPromise: Promise<T> | undefined = undefined;
  settleResolve: ((value: unknown) => void) | undefined = undefined;
  settleReject: ((reason: unknown) => void) | undefined = undefined;
}

const nativeThen = Promise.prototype.then;

/** A plain promise whose `then` is the built-in one (a reaction then keeps the async context). */
export function isNativePromise(value: unknown): value is Promise<unknown> {
  return (
    value instanceof Promise &&
    (value as Promise<unknown>).constructor === Promise &&
    (value as Promise<unknown>).then === nativeThen
  );
}
