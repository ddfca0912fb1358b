/**
 * `SharedDict` — a manager's dict, reached through a handle from any thread or process
 * (Python's `DictProxy`).
 * @module
 */
import { describe } from '../core/options.js';
import { Handle } from '../remote/handle.js';
import { DictBorrower, UNKNOWN } from './dict-loan-handle.js';
import { SetsAhead } from './dict-sets-ahead.js';
import { type DictKey, dictKey, entriesOf, incremented } from './stores.js';

export type { DictKey } from './stores.js';

const NO_ARGS: readonly unknown[] = [];

/** What `update` and `Manager.dict(init)` take: pairs, a Map, or (string keys) a plain object. */
export type DictSource<K extends DictKey, V> =
  | Iterable<readonly [K, V]>
  | ([K] extends [string] ? Readonly<Partial<Record<K, V>>> : never);

/**
 * A dict that lives in its manager and is reached through this handle — from the thread
 * that made it as from every thread or process it was passed to, with the same interface
 * and the same behaviour. Map's methods, made asynchronous. Each call is one atomic
 * operation at the owner; values are copied on the way in and out (structured clone: a
 * value read is a copy, and changing it changes nothing until it is `set` again). Keys are
 * strings, numbers, bigints, booleans, `null` or `undefined`: compared by value.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const scores = manager.dict<string, number>();
 * await scores.set('ada', 1);
 * await scores.increment('ada'); // atomic read-modify-write: 2
 * // pass `scores` to a Thread or a pool task: it arrives as a SharedDict on the same dict
 * ```
 */
export class SharedDict<K extends DictKey = DictKey, V = unknown>
  extends Handle
  implements AsyncIterable<[K, V]>
{
  private readonly sets = new SetsAhead(this.link);
  /** Loans of the dict to this handle, unless the dict lives in this thread. */
  private readonly loan =
    this.link.local === true ? undefined : new DictBorrower(this.link, () => this.sets.waiting);

  /** The value of `key`, or `fallback` (default `undefined`) when the dict has no such key. */
  get(key: K): Promise<V | undefined>;
  get<D>(key: K, fallback: D): Promise<V | D>;
  get(key: K, fallback?: unknown): Promise<unknown> {
    const known = this.known(key);
    if (known !== UNKNOWN) return Promise.resolve(known);
    // No `undefined` sent when there is no fallback: the frame can go as JSON (frame-body.ts).
    const answer = this.call('get', fallback === undefined ? [key] : [key, fallback]);
    if (this.loan?.lent !== true) return answer;
    const learn = this.loan.learner(key);
    return answer.then((value) => {
      // The key is there when the answer is not what an absent key gives.
      if (!Object.is(value, fallback)) learn(value);
      return value;
    });
  }

  /**
   * Sets `key` to a copy of `value`. From a handle whose earlier set the owner answered,
   * the set is sent ahead: it resolves once the key is checked and the value encoded,
   * without waiting for the owner, which applies it before any later call of this handle
   * (see docs/manager.md, "Sets sent ahead").
   */
  set(key: K, value: V): Promise<void> {
    const failed = this.sets.takeFailure();
    if (failed !== undefined) return Promise.reject(failed.error);
    try {
      dictKey(key, 'set');
    } catch (err) {
      return Promise.reject(err);
    }
    const loan = this.loan;
    if (loan === undefined) return this.sets.set(key, value);
    loan.used();
    if (!loan.lent) return this.sets.set(key, value);
    // A value that cannot cross is an object: never known here, so nothing wrong is learnt.
    loan.learn(key, value);
    loan.servedAhead();
    return this.sets.set(key, value, true);
  }

  has(key: K): Promise<boolean> {
    if (this.known(key) !== UNKNOWN) return Promise.resolve(true);
    return this.call('has', [key]) as Promise<boolean>;
  }

  /** Removes `key`; resolves to whether it was there. */
  delete(key: K): Promise<boolean> {
    this.loan?.forget(key);
    return this.change('delete', [key]) as Promise<boolean>;
  }

  keys(): Promise<K[]> {
    return this.call('keys', NO_ARGS) as Promise<K[]>;
  }

  values(): Promise<V[]> {
    return this.call('values', NO_ARGS) as Promise<V[]>;
  }

  entries(): Promise<[K, V][]> {
    return this.call('entries', NO_ARGS) as Promise<[K, V][]>;
  }

  size(): Promise<number> {
    return this.call('size', NO_ARGS) as Promise<number>;
  }

  clear(): Promise<void> {
    this.loan?.forgetAll();
    return this.change('clear', NO_ARGS) as Promise<void>;
  }

  /** A copy of the whole dict, taken in one atomic step. */
  toMap(): Promise<Map<K, V>> {
    return this.call('toMap', NO_ARGS) as Promise<Map<K, V>>;
  }

  /** Sets every pair in one atomic step (all or none, when a key is refused). */
  async update(entries: DictSource<K, V>): Promise<void> {
    this.loan?.forgetAll();
    await this.change('update', [entriesOf(entries, 'SharedDict.update()')]);
  }

  /** The value of `key`; when there is none, sets it to `value` first (Python's `setdefault`). */
  setDefault(key: K, value: V): Promise<V> {
    const known = this.known(key);
    if (known !== UNKNOWN) return Promise.resolve(known as V);
    return this.change('setDefault', [key, value], key) as Promise<V>;
  }

  /** Removes `key` and resolves to its value, or to `fallback` (default `undefined`) when absent. */
  pop(key: K): Promise<V | undefined>;
  pop<D>(key: K, fallback: D): Promise<V | D>;
  pop(key: K, fallback?: unknown): Promise<unknown> {
    this.loan?.forget(key);
    return this.change('pop', fallback === undefined ? [key] : [key, fallback]);
  }

  /**
   * Adds `by` (default 1) to the number or bigint at `key` — a missing key counts as 0 — in
   * one atomic step, and resolves to the new value: the counter update that `get` then
   * `set` from two places would race on.
   */
  increment(key: K, by: V & (number | bigint) = 1 as V & number): Promise<V> {
    const known = this.known(key);
    if (known !== UNKNOWN && typeof known === typeof by) {
      // Lent here: nobody else can change the value meanwhile, so the sum is the owner's too.
      let sum: number | bigint;
      try {
        sum = incremented(known, by, `SharedDict.increment(${describe(key)})`);
      } catch (err) {
        return Promise.reject(err);
      }
      this.loan!.learn(key, sum);
      return this.sets.set(key, sum, true).then(() => sum as V);
    }
    return this.change('increment', [key, by], key) as Promise<V>;
  }

  /** The value of `key` if this handle knows it (the dict lent here). */
  private known(key: K): unknown {
    return this.loan === undefined ? UNKNOWN : this.loan.read(key);
  }

  /**
   * A call to the owner that may change the dict; `key` given, its answer is the value the
   * key holds after it, learnt if the dict is lent here.
   */
  private change(method: string, args: readonly unknown[], key?: K): Promise<unknown> {
    const loan = this.loan;
    if (loan?.lent !== true) return this.call(method, args);
    const answered = loan.changing();
    const learn = key === undefined ? undefined : loan.learner(key, true);
    return this.call(method, args).then(
      (value) => {
        answered();
        learn?.(value);
        return value;
      },
      (err: unknown) => {
        answered();
        throw err;
      },
    );
  }

  /** A call to the owner, or the failure of a set sent ahead that no call reported yet. */
  private call(method: string, args: readonly unknown[]): Promise<unknown> {
    const failed = this.sets.takeFailure();
    this.loan?.used();
    return failed === undefined ? this.link.call(method, args) : Promise.reject(failed.error);
  }

  /** `for await (const [key, value] of dict)`: the entries as they are when the loop starts (one atomic copy). */
  async *[Symbol.asyncIterator](): AsyncIterator<[K, V]> {
    yield* await this.entries();
  }
}
