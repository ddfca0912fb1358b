/**
 * What a manager's dict, list and namespace hold, on the owner's side: plain synchronous
 * operations, each one complete before the next begins, so every message from a handle is
 * one atomic update. Callers — local ones and handles alike — reach them only through the
 * served methods of manager-remote.ts, which copy values on the way in and out.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { describe } from '../core/options.js';
import { RuntimeError } from '../errors.js';

/** What every store of one manager shares: its name, and whether it was shut down. */
export interface ManagerState {
  readonly name: string;
  shutDown: boolean;
}

/** A key of a shared dict: compared by value, so a copy made in another thread finds it. */
export type DictKey = string | number | bigint | boolean | null | undefined;

/** The base of the stores: refuses every operation once the manager is shut down. */
abstract class Store {
  constructor(
    readonly manager: ManagerState,
    readonly className: string,
  ) {}

  /** Throws when the manager is shut down: the served methods call it before every operation. */
  live(method: string): void {
    if (this.manager.shutDown) {
      throw new RuntimeError(
        `${this.className}.${method}(): ${this.manager.name} was shut down, and its dicts, lists and namespaces with it`,
      );
    }
  }

  /** Drops the contents when the manager shuts down: nobody can read them any more. */
  abstract end(): void;
}

/** Adds `by` to `current` (missing counts as zero of `by`'s type): the body of `increment`. */
export function incremented(current: unknown, by: unknown, where: string): number | bigint {
  if (typeof by === 'number' && (current === undefined || typeof current === 'number')) {
    return (current ?? 0) + by;
  }
  if (typeof by === 'bigint' && (current === undefined || typeof current === 'bigint')) {
    return (current ?? 0n) + by;
  }
  if (typeof by !== 'number' && typeof by !== 'bigint') {
    throw new TypeError(`${where}: by must be a number or a bigint, got ${describe(by)}`);
  }
  throw new TypeError(
    `${where}: the value is ${describe(current)}, which cannot be incremented by a ${typeof by}`,
  );
}

/** `[key, value]` pairs from a Map, an iterable of pairs, or a plain object (string keys). */
export function entriesOf(source: unknown, where: string): [unknown, unknown][] {
  if (source !== null && typeof source === 'object') {
    if (Symbol.iterator in source) {
      const entries = [...(source as Iterable<unknown>)];
      for (const entry of entries) {
        if (!Array.isArray(entry) || entry.length !== 2) {
          throw new TypeError(
            `${where}: each entry must be a [key, value] pair, got ${describe(entry)}`,
          );
        }
      }
      return entries as [unknown, unknown][];
    }
    return Object.entries(source);
  }
  throw new TypeError(
    `${where}: expected a Map, an iterable of [key, value] pairs or a plain object, got ${describe(source)}`,
  );
}

/** A store of values by key (a dict's keys, a namespace's names): what both do alike. */
abstract class KeyedStore<Key> extends Store {
  protected map = new Map<Key, unknown>();

  /** `key` when it is one this store accepts; a TypeError naming `method` otherwise. */
  protected abstract key(key: unknown, method: string): Key;

  get(key: unknown, fallback?: unknown): unknown {
    const valid = this.key(key, 'get');
    return this.map.has(valid) ? this.map.get(valid) : fallback;
  }

  set(key: unknown, value: unknown): void {
    this.map.set(this.key(key, 'set'), value);
  }

  has(key: unknown): boolean {
    return this.map.has(this.key(key, 'has'));
  }

  delete(key: unknown): boolean {
    return this.map.delete(this.key(key, 'delete'));
  }

  increment(key: unknown, by: unknown = 1): number | bigint {
    const valid = this.key(key, 'increment');
    const value = incremented(
      this.map.get(valid),
      by,
      `${this.className}.increment(${describe(key)})`,
    );
    this.map.set(valid, value);
    return value;
  }

  end(): void {
    this.map = new Map();
  }
}

/** The owner's side of a `SharedDict`. */
export class DictStore extends KeyedStore<DictKey> {
  constructor(manager: ManagerState) {
    super(manager, 'SharedDict');
  }

  keys(): unknown[] {
    return [...this.map.keys()];
  }

  values(): unknown[] {
    return [...this.map.values()];
  }

  entries(): [unknown, unknown][] {
    return [...this.map.entries()];
  }

  size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }

  toMap(): Map<unknown, unknown> {
    return new Map(this.map);
  }

  /** Sets every pair, or none when one key is refused. */
  update(source: unknown): void {
    const entries = entriesOf(source, 'SharedDict.update()');
    for (const [key] of entries) this.key(key, 'update');
    for (const [key, value] of entries) this.map.set(key as DictKey, value);
  }

  setDefault(key: unknown, value: unknown): unknown {
    const valid = this.key(key, 'setDefault');
    if (this.map.has(valid)) return this.map.get(valid);
    this.map.set(valid, value);
    return value;
  }

  pop(key: unknown, fallback?: unknown): unknown {
    const valid = this.key(key, 'pop');
    if (!this.map.has(valid)) return fallback;
    const value = this.map.get(valid);
    this.map.delete(valid);
    return value;
  }

  protected key(key: unknown, method: string): DictKey {
    return dictKey(key, method);
  }
}

/**
 * `key` when a shared dict accepts it; a TypeError naming `SharedDict.${method}()`
 * otherwise. The owner checks every key, and a handle checks a set's before sending it ahead.
 */
export function dictKey(key: unknown, method: string): DictKey {
  if (
    key === null ||
    (typeof key !== 'object' && typeof key !== 'function' && typeof key !== 'symbol')
  ) {
    return key as DictKey;
  }
  throw new TypeError(
    `SharedDict.${method}(): a key must be a string, number, bigint, boolean, null or undefined (keys are compared by value, and an object arrives in another thread as a copy), got ${describe(key)}`,
  );
}

/** The owner's side of a `SharedList`. */
export class ListStore extends Store {
  private items: unknown[] = [];

  constructor(manager: ManagerState) {
    super(manager, 'SharedList');
  }

  append(item: unknown): void {
    this.items.push(item);
  }

  extend(items: unknown): void {
    if (!Array.isArray(items)) {
      throw new TypeError(`SharedList.extend(): items must be iterable, got ${describe(items)}`);
    }
    for (const item of items) this.items.push(item);
  }

  get(index: unknown): unknown {
    return this.items[this.at(index, 'get')];
  }

  set(index: unknown, item: unknown): void {
    this.items[this.at(index, 'set')] = item;
  }

  length(): number {
    return this.items.length;
  }

  toArray(): unknown[] {
    return this.items.slice();
  }

  slice(start?: unknown, end?: unknown): unknown[] {
    return this.items.slice(this.bound(start, 'slice'), this.bound(end, 'slice'));
  }

  pop(index: unknown = -1): unknown {
    if (this.items.length === 0) throw new RangeError('SharedList.pop(): the list is empty');
    return this.items.splice(this.at(index, 'pop'), 1)[0];
  }

  /** Inserts before `index`; as in Python, an index past either end inserts at that end. */
  insert(index: unknown, item: unknown): void {
    const at = this.integer(index, 'insert');
    const length = this.items.length;
    this.items.splice(at < 0 ? Math.max(0, length + at) : Math.min(at, length), 0, item);
  }

  /** Removes the first item equal to `item` (deep equality: items are copies). */
  remove(item: unknown): boolean {
    const index = this.find(item);
    if (index >= 0) this.items.splice(index, 1);
    return index >= 0;
  }

  indexOf(item: unknown): number {
    return this.find(item);
  }

  clear(): void {
    this.items = [];
  }

  end(): void {
    this.items = [];
  }

  private find(item: unknown): number {
    return this.items.findIndex((stored) => isDeepStrictEqual(stored, item));
  }

  /** The position `index` names (negative: from the end); RangeError outside the list. */
  private at(index: unknown, method: string): number {
    const at = this.integer(index, method);
    const length = this.items.length;
    const position = at < 0 ? length + at : at;
    if (position < 0 || position >= length) {
      throw new RangeError(
        `SharedList.${method}(${at}): index out of range (the list has ${length} item${length === 1 ? '' : 's'})`,
      );
    }
    return position;
  }

  private integer(index: unknown, method: string): number {
    if (!Number.isInteger(index)) {
      throw new TypeError(
        `SharedList.${method}(): index must be an integer, got ${describe(index)}`,
      );
    }
    return index as number;
  }

  private bound(index: unknown, method: string): number | undefined {
    return index === undefined ? undefined : this.integer(index, method);
  }
}

/** The owner's side of a `SharedNamespace`. */
export class NamespaceStore extends KeyedStore<string> {
  constructor(manager: ManagerState) {
    super(manager, 'SharedNamespace');
  }

  toObject(): Record<string, unknown> {
    return Object.fromEntries(this.map);
  }

  protected key(name: unknown, method: string): string {
    if (typeof name === 'string') return name;
    throw new TypeError(
      `SharedNamespace.${method}(): name must be a string, got ${describe(name)}`,
    );
  }
}
