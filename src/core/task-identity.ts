/**
 * One task identity, carried along each async call chain by `AsyncLocalStorage`. RLock
 * ownership, the locks `acquireAll` remembers, `TaskLocal` values and the task's kill
 * signal all hang off it; green tasks, and later threads and processes, reuse it.
 *
 * Code that is not running inside a task has no identity: two plain async functions
 * running concurrently cannot be told apart, so anything that needs to know *who* holds
 * a lock refuses to guess and asks the caller to run inside `spawn()`.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { NoTaskError } from '../errors.js';

/** What weft knows about the task a piece of code runs in. */
export interface TaskIdentity {
  readonly id: number;
  readonly name: string;
  /** Aborted when the task is killed; weft's blocking calls inside the task observe it. */
  readonly signal: AbortSignal;
  /** Ordinals of locks currently held through `acquireAll`, ascending. */
  readonly heldOrdinals: number[];
  /** Values of `TaskLocal`s set in this task. */
  readonly locals: Map<object, unknown>;
}

const storage = new AsyncLocalStorage<TaskIdentity>();

/** The identity of the task running now, or `undefined` outside any task. */
export function currentIdentity(): TaskIdentity | undefined {
  return storage.getStore();
}

/** Runs `fn` as the given task: everything it calls, synchronously or after awaits, sees `identity`. */
export function runAsIdentity<R>(identity: TaskIdentity, fn: () => R): R {
  return storage.run(identity, fn);
}

/** The current task's identity, or a clear error saying how to get one. */
export function requireIdentity(what: string): TaskIdentity {
  const identity = storage.getStore();
  if (identity === undefined) {
    throw new NoTaskError(
      `${what} needs to know which task is calling, and this code is not running inside a weft task. ` +
        'Concurrent async functions on one event loop cannot be told apart, so two of them could both ' +
        'believe they own the lock. Run each concurrent caller as a task: spawn(async () => { ... }).',
    );
  }
  return identity;
}
