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
import type { WaitWatch } from './wait-watch.js';

const storage = new AsyncLocalStorage<TaskIdentity>();

/**
 * Where `TaskLocal` values live: one per task, plus one for code outside any task. A task
 * starts with a copy of its spawner's values (as `contextvars` copies the context into a
 * new asyncio task); the copy is made lazily, on the first `set` on either side.
 */
export interface LocalsHolder {
  /** Values of `TaskLocal`s, or `undefined` while none was ever set or inherited. */
  locals: Map<object, unknown> | undefined;
  /** Whether `locals` is shared with another holder and must be copied before a write. */
  localsShared: boolean;
}

/** What weft knows about the task a piece of code runs in. */
export interface TaskIdentity extends LocalsHolder {
  readonly id: number;
  readonly name: string;
  /**
   * Aborted when the task is killed, or when a `TaskGroup` opened in the task cancels its
   * body; weft's blocking calls inside the task observe it.
   */
  readonly signal: AbortSignal;
  /**
   * Where weft's waits in the task park so that a kill (or the cancellation of the task
   * group whose body runs) interrupts them; `undefined` when nothing interrupts them.
   */
  readonly waitWatch?: WaitWatch | undefined;
  /** Ordinals of locks currently held through `acquireAll`, ascending. */
  readonly heldOrdinals: number[];
}

/** The `TaskLocal` values of code running outside any task (a script's top level, callbacks). */
export const outsideTasks: LocalsHolder = { locals: undefined, localsShared: false };

/** The holder of the `TaskLocal` values the calling code sees. */
export function currentLocals(): LocalsHolder {
  return storage.getStore() ?? outsideTasks;
}

/** Gives `child` the values of `parent` (copy-on-write: both copy before their next write). */
export function inheritLocals(parent: LocalsHolder, child: LocalsHolder): void {
  const locals = parent.locals;
  if (locals === undefined || locals.size === 0) return;
  child.locals = locals;
  child.localsShared = true;
  parent.localsShared = true;
}

/** The map of `holder`'s values, ready to be written (copied first when shared). */
export function writableLocals(holder: LocalsHolder): Map<object, unknown> {
  let locals = holder.locals;
  if (locals === undefined) locals = holder.locals = new Map();
  else if (holder.localsShared) {
    locals = holder.locals = new Map(locals);
    holder.localsShared = false;
  }
  return locals;
}

/** The identity of the task running now, or `undefined` outside any task. */
export function currentIdentity(): TaskIdentity | undefined {
  return storage.getStore();
}

/**
 * Runs `fn(arg)` as the given task: everything it calls, synchronously or after awaits (and
 * every `then` callback it registers), sees `identity`.
 */
export function runAsIdentity<R, A = undefined>(
  identity: TaskIdentity,
  fn: (arg: A) => R,
  arg?: A,
): R {
  return storage.run(identity, fn, arg as A);
}

/**
 * Runs `fn()` as code outside any task: what it schedules (a timer, an immediate) runs
 * outside too, whichever task called.
 */
export function runOutsideTasks<R>(fn: () => R): R {
  return storage.run(undefined as unknown as TaskIdentity, fn);
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
