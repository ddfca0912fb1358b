/**
 * `SharedNamespace` — a manager's namespace of named values, reached through a handle from
 * any thread or process (Python's `Namespace` proxy).
 * @module
 */
import { Handle } from '../remote/handle.js';

/** A name of namespace `N`. */
type Name<N> = keyof N & string;

/**
 * Named values that live in their manager, reached through this handle from the thread
 * that made it as from every thread or process it was passed to. Python's `ns.count = 1`
 * is `await ns.set('count', 1)`; typed by the object the namespace starts from. Each call
 * is one atomic operation at the owner; values are copied on the way in and out. A name
 * never set reads as `undefined`.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const state = manager.namespace({ phase: 'setup', done: 0 });
 * await state.set('phase', 'running');
 * await state.increment('done'); // atomic: no lost update between workers
 * console.log(await state.toObject()); // { phase: 'running', done: 1 }
 * ```
 */
export class SharedNamespace<N extends object = Record<string, unknown>> extends Handle {
  get<K extends Name<N>>(name: K): Promise<N[K]> {
    return this.link.call('get', [name]) as Promise<N[K]>;
  }

  set<K extends Name<N>>(name: K, value: N[K]): Promise<void> {
    return this.link.call('set', [name, value]) as Promise<void>;
  }

  has(name: Name<N>): Promise<boolean> {
    return this.link.call('has', [name]) as Promise<boolean>;
  }

  /** Removes `name`; resolves to whether it was set (Python's `del ns.name`). */
  delete(name: Name<N>): Promise<boolean> {
    return this.link.call('delete', [name]) as Promise<boolean>;
  }

  /**
   * Adds `by` (default 1) to the number or bigint named `name` — unset counts as 0 — in one
   * atomic step, and resolves to the new value.
   */
  increment<K extends Name<N>>(
    name: K,
    by: N[K] & (number | bigint) = 1 as N[K] & number,
  ): Promise<N[K]> {
    return this.link.call('increment', [name, by]) as Promise<N[K]>;
  }

  /** A copy of every name and value, taken in one atomic step. */
  toObject(): Promise<N> {
    return this.link.call('toObject', []) as Promise<N>;
  }
}
