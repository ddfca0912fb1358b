/**
 * What a `Task` keeps apart so that a task that just runs and ends stays small: the rarely
 * used part of its state, and the test for a promise it can follow without a closure.
 * @module
 */
import type { WaitWatch } from '../core/wait-watch.js';
import type { WaiterQueue } from '../core/waiter.js';

/** A task group's cancel scope, open in the task that opened the group. */
export interface CancelScope {
  readonly signal: AbortSignal;
  readonly watch: WaitWatch;
}

/** The rarely used state of a task (see `Task.extras`). */
export class TaskExtras<T> {
  killed = false;
  killReason: unknown = undefined;
  controller: AbortController | undefined = undefined;
  /** The cancel scopes (task groups) open in the task, innermost last. */
  scopes: CancelScope[] | undefined = undefined;
  /** The task's own waits (outside any cancel scope), interrupted by `kill`. */
  watch: WaitWatch | undefined = undefined;
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
