/**
 * `SharedList` — a manager's list, reached through a handle from any thread or process
 * (Python's `ListProxy`).
 * @module
 */
import { describe } from '../core/options.js';
import { Handle } from '../remote/handle.js';

const NO_ARGS: readonly unknown[] = [];

/** The items of `items` as an array, or a TypeError naming what it got instead. */
export function itemsOf<T>(items: Iterable<T>, where: string): T[] {
  if (Array.isArray(items)) return items;
  if (items !== null && typeof (items as Partial<Iterable<T>>)[Symbol.iterator] === 'function') {
    return [...items];
  }
  throw new TypeError(`${where}: items must be iterable, got ${describe(items)}`);
}

/**
 * A list that lives in its manager and is reached through this handle — from the thread
 * that made it as from every thread or process it was passed to, with the same interface
 * and the same behaviour. Each call is one atomic operation at the owner, so ten threads
 * appending 100 items each leave exactly 1000. Indexes count from the end when negative,
 * as in Python; one outside the list rejects with a `RangeError`. Values are copied on the
 * way in and out (structured clone); `remove` and `indexOf` compare by deep equality.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const log = manager.list<string>();
 * await log.append('started');
 * await log.extend(['a', 'b']);
 * console.log(await log.get(-1), await log.length()); // b 3
 * ```
 */
export class SharedList<T = unknown> extends Handle implements AsyncIterable<T> {
  append(item: T): Promise<void> {
    return this.link.call('append', [item]) as Promise<void>;
  }

  /** Appends every item in one atomic step. */
  async extend(items: Iterable<T>): Promise<void> {
    await this.link.call('extend', [itemsOf(items, 'SharedList.extend()')]);
  }

  /** The item at `index` (negative: from the end). */
  get(index: number): Promise<T> {
    return this.link.call('get', [index]) as Promise<T>;
  }

  /** Replaces the item at `index` (negative: from the end). */
  set(index: number, item: T): Promise<void> {
    return this.link.call('set', [index, item]) as Promise<void>;
  }

  length(): Promise<number> {
    return this.link.call('length', NO_ARGS) as Promise<number>;
  }

  /** A copy of the whole list, taken in one atomic step. */
  toArray(): Promise<T[]> {
    return this.link.call('toArray', NO_ARGS) as Promise<T[]>;
  }

  /** A copy of the items from `start` up to `end` (as `Array.prototype.slice`, Python's `list[start:end]`). */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.link.call('slice', [start, end]) as Promise<T[]>;
  }

  /** Removes and resolves to the item at `index` (default: the last); rejects with `RangeError` when there is none. */
  pop(index?: number): Promise<T> {
    return this.link.call('pop', [index]) as Promise<T>;
  }

  /** Inserts `item` before `index`; an index past either end inserts at that end, as in Python. */
  insert(index: number, item: T): Promise<void> {
    return this.link.call('insert', [index, item]) as Promise<void>;
  }

  /** Removes the first item deeply equal to `item`; resolves to whether there was one. */
  remove(item: T): Promise<boolean> {
    return this.link.call('remove', [item]) as Promise<boolean>;
  }

  /** The index of the first item deeply equal to `item`, or -1. */
  indexOf(item: T): Promise<number> {
    return this.link.call('indexOf', [item]) as Promise<number>;
  }

  clear(): Promise<void> {
    return this.link.call('clear', NO_ARGS) as Promise<void>;
  }

  /** `for await (const item of list)`: the items as they are when the loop starts (one atomic copy). */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.toArray();
  }
}
