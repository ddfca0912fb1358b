/**
 * `TaskLocal<T>` — a value per task (Python's `contextvars.ContextVar` for asyncio tasks,
 * `threading.local` for threads).
 * @module
 */
import { currentLocals, writableLocals } from '../core/task-identity.js';

const UNSET: unique symbol = Symbol('unset');

/**
 * A variable with one value per task. Each task sees the value it set itself; a new task
 * starts with the values its spawner had at `spawn()` time (as asyncio copies the context
 * into a new task), and later `set`s on either side are not seen by the other. The value
 * follows the task through every `await`, timer and callback.
 *
 * Code outside any task (a script's top level, plain callbacks) shares one set of values:
 * concurrent plain async functions cannot be told apart, so this is like the values of
 * Python's main thread. Tasks spawned from there start with a copy of them, which makes
 * "configure at the top, then spawn the workers" work.
 *
 * @example
 * ```ts
 * const requestId = new TaskLocal<string>('none');
 * const handle = async (id: string) => {
 *   requestId.set(id);
 *   await sleep(10);
 *   log(`done`); // log() reads requestId.get(): this task's id, whatever ran meanwhile
 * };
 * spawn(handle, 'a');
 * spawn(handle, 'b');
 * ```
 */
export class TaskLocal<T> {
  private readonly defaultValue: T | typeof UNSET;

  /** `defaultValue` is what `get()` returns where no value was set (`undefined` if omitted). */
  constructor(...defaultValue: [] | [T]) {
    this.defaultValue = defaultValue.length === 0 ? UNSET : defaultValue[0];
  }

  /** The calling task's value, else the default, else `undefined`. */
  get(): T {
    const locals = currentLocals().locals;
    if (locals?.has(this)) return locals.get(this) as T;
    return (this.defaultValue === UNSET ? undefined : this.defaultValue) as T;
  }

  /** Whether the calling task has a value of its own (set or inherited) rather than the default. */
  isSet(): boolean {
    return currentLocals().locals?.has(this) ?? false;
  }

  /**
   * Sets the calling task's value. Returns a `Disposable` that puts the previous value
   * back (contextvars' token and `reset`), for `using`.
   *
   * @example
   * ```ts
   * {
   *   using _ = user.set('alice');
   *   await handle(); // sees 'alice'
   * } // back to the previous value
   * ```
   */
  set(value: T): Disposable {
    const holder = currentLocals();
    const had = holder.locals?.has(this) ?? false;
    const previous = had ? holder.locals!.get(this) : undefined;
    writableLocals(holder).set(this, value);
    let restored = false;
    return {
      [Symbol.dispose]: () => {
        if (restored) return;
        restored = true;
        const locals = writableLocals(holder);
        if (had) locals.set(this, previous);
        else locals.delete(this);
      },
    };
  }

  /** Removes the calling task's value: `get()` returns the default again. */
  delete(): void {
    const holder = currentLocals();
    if (holder.locals?.has(this)) writableLocals(holder).delete(this);
  }
}
