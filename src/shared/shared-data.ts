/**
 * What `SharedValue` and `SharedArray` have in common: typed elements in a
 * `SharedArrayBuffer`, the lock that guards them (or none) and how they cross — into a
 * thread as the same memory and the same lock, never into a process.
 * @module
 */
import { inspect } from 'node:util';
import type { Crossed, Destination } from '../codec/descriptor.js';
import { SharedLock } from './shared-lock.js';
import { crossShared, type SharedDescriptor } from './shared-transport.js';
import { type TypeCode, type TypedView, type TypeInfo, typeInfo } from './typecodes.js';

/** Options of `SharedValue` and `SharedArray`. */
export interface SharedDataOptions {
  /**
   * `true` (default): a new `SharedLock` guards the data; `false`: no lock (Python's
   * `RawValue`/`RawArray`: `getLock()` throws); a `SharedLock`: that one (several values
   * may share one lock).
   */
  lock?: boolean | SharedLock | undefined;
}

/** The key under which a crossed one's memory reaches its constructor (never a user's option). */
const MEMORY: unique symbol = Symbol('weft.shared.memory');

/** How one that crossed into a thread is rebuilt on the memory that arrived. */
export interface Arrival extends SharedDataOptions {
  readonly [MEMORY]: SharedArrayBuffer;
}

/** The common part of `SharedValue` and `SharedArray`. */
export abstract class SharedData<T extends TypeCode> {
  /** The element type, as it was given (`'i'`, `'float64'`, ...). */
  readonly type: T;
  /** The memory of the elements (the lock has its own). */
  readonly buffer: SharedArrayBuffer;
  protected readonly info: TypeInfo;
  protected readonly view: TypedView;
  readonly #lock: SharedLock | undefined;
  readonly #kind: string;

  protected constructor(
    kind: string,
    type: T,
    length: number,
    opts: SharedDataOptions | Arrival | undefined,
  ) {
    this.#kind = kind;
    if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
      throw new TypeError(`${kind}: options must be an object such as { lock: false }`);
    }
    this.info = typeInfo(type, kind);
    this.type = type;
    this.#lock = lockOf(opts?.lock, kind);
    const arrived = opts !== undefined && MEMORY in opts ? opts[MEMORY] : undefined;
    this.buffer = arrived ?? new SharedArrayBuffer(length * this.info.bytes);
    this.view = new this.info.View(this.buffer);
  }

  /**
   * The `SharedLock` that guards the data: hold it around a read-modify-write
   * (`using _ = await v.getLock().guard()`). A `TypeError` if made with `{ lock: false }`,
   * as Python's raw values have no `get_lock()`.
   */
  getLock(): SharedLock {
    if (this.#lock === undefined) {
      throw new TypeError(
        `${this.#kind}.getLock(): this ${this.#kind} was made with { lock: false } and has no lock (as Python's Raw${this.#kind.slice('Shared'.length)}); make it with a lock, or guard it with a SharedLock of your own`,
      );
    }
    return this.#lock;
  }

  /** As the call that would make it: `SharedValue('i', 5)`, `SharedArray('d', [0.5, 1], { lock: false })`. */
  toString(): string {
    const options = this.#lock === undefined ? ', { lock: false }' : '';
    return `${this.#kind}('${this.type}', ${this.shown()}${options})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** The data, for `toString()`. */
  protected abstract shown(): string;

  /** Into a thread: the same memory and the same lock. Into a process: refused. */
  protected crossData(to: Destination): Crossed {
    const kind = this.#kind;
    if (to === 'process') {
      throw new TypeError(
        `a ${kind} cannot cross into another process: its memory is shared by the threads of one process only; to share data with a process, use a Manager (manager.namespace({ count: 0 }) and increment(), or manager.list())`,
      );
    }
    const info = { className: kind, typecode: this.type };
    return crossShared(this, kind, info, this.buffer, to, this.#lock?.buffer);
  }
}

function lockOf(lock: unknown, where: string): SharedLock | undefined {
  if (lock === undefined || lock === true) return new SharedLock();
  if (lock === false) return undefined;
  if (lock instanceof SharedLock) return lock;
  const given =
    typeof lock === 'object' && lock !== null ? `a ${lock.constructor.name}` : typeof lock;
  throw new TypeError(`${where}: lock must be true, false or a SharedLock, not ${given}`);
}

/** One element as it is written in code: `5`, `5n`. */
export function shownElement(value: number | bigint): string {
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

/** Whether `opts` rebuild one that crossed (its memory holds its values already). */
export function arrived(opts: SharedDataOptions | undefined): boolean {
  return opts !== undefined && MEMORY in opts;
}

/** The options that rebuild a crossed `SharedValue` or `SharedArray` on its memory. */
export function arrivalOf(descriptor: SharedDescriptor): Arrival {
  const lock = descriptor.extra;
  return {
    [MEMORY]: descriptor.buffer,
    lock: lock === undefined ? false : new SharedLock(lock),
  };
}

/** The typecode a crossed `SharedValue` or `SharedArray` carries. */
export function typecodeOf(descriptor: SharedDescriptor): TypeCode {
  return descriptor.info.typecode as TypeCode;
}
