/**
 * `spawn` and `currentTask` — starting green tasks and finding the one that runs now.
 * @module
 */
import { describe } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { Task } from './task.js';

/** `spawn(fn, ...args)`, plus `spawn.named(name, fn, ...args)`. */
export interface Spawn {
  /**
   * Starts `fn(...args)` as a new task on a later microtask (never synchronously) and
   * returns its handle (gevent's `spawn`, asyncio's `create_task`). The task starts with
   * a copy of the caller's `TaskLocal` values.
   *
   * @example
   * ```ts
   * const a = spawn(async () => 1);
   * const b = spawn(async (x: number) => x * 2, 21);
   * console.log(await a, await b); // 1 42
   * ```
   */
  <A extends unknown[], T>(fn: (...args: A) => T | PromiseLike<T>, ...args: A): Task<Awaited<T>>;
  /**
   * Like `spawn`, with a name for the task (`task.name`, used in messages).
   *
   * @example
   * ```ts
   * const task = spawn.named('resolver', lookup, 'localhost');
   * console.log(task.name); // resolver
   * ```
   */
  named<A extends unknown[], T>(
    name: string,
    fn: (...args: A) => T | PromiseLike<T>,
    ...args: A
  ): Task<Awaited<T>>;
}

/** Starts a green task; see {@link Spawn}. */
export const spawn: Spawn = Object.assign(
  function spawn<A extends unknown[], T>(fn: (...args: A) => T | PromiseLike<T>, ...args: A) {
    return new Task<Awaited<T>>(fn as unknown as () => Awaited<T>, args);
  },
  {
    named<A extends unknown[], T>(
      name: string,
      fn: (...args: A) => T | PromiseLike<T>,
      ...args: A
    ): Task<Awaited<T>> {
      if (typeof name !== 'string')
        throw new TypeError(`spawn.named(name, fn): name must be a string, got ${describe(name)}`);
      return new Task<Awaited<T>>(fn as unknown as () => Awaited<T>, args, name);
    },
  },
);

/** The task the calling code runs in, or `undefined` outside any task. */
export function currentTask(): Task | undefined {
  const identity = currentIdentity();
  return identity instanceof Task ? identity : undefined;
}
