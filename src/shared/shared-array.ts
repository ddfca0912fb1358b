/**
 * `SharedArray` — a fixed-length array of typed numbers in shared memory with the lock that
 * guards it: Python's `multiprocessing.Array` between the threads of one process.
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import {
  arrivalOf,
  SharedData,
  type SharedDataOptions,
  shownElement,
  typecodeOf,
} from './shared-data.js';
import { registerShared } from './shared-transport.js';
import { checkElement, type ElementOf, type TypeCode, type ViewOf } from './typecodes.js';

/**
 * `length` numbers of type `T` in shared memory, with a `SharedLock` to guard them unless
 * made with `{ lock: false }`. `new SharedArray('d', 8)` is eight zeros; `new
 * SharedArray('i', [1, 2, 3])` holds those values. Indexes may be negative, counting from
 * the end as in Python; outside the array is a `RangeError` (Python's `IndexError`).
 * Passed to a `Thread` or a thread-pool task it arrives as a `SharedArray` on the same
 * memory with the same lock; it cannot go to a `Process` (a `TypeError`: use a Manager).
 *
 * @example
 * ```ts
 * const squares = new SharedArray('i', 4);
 * // each thread writes its own indexes: no lock needed for that
 * squares.set(3, 9);
 * console.log(squares.toArray()); // [0, 0, 0, 9]
 * ```
 */
export class SharedArray<T extends TypeCode = TypeCode> extends SharedData<T> {
  /**
   * @param type a Python typecode (`'i'`) or a name (`'int32'`)
   * @param sizeOrValues how many elements (all zero), or the values to hold
   * @param opts `lock`: `true` (default), `false`, or a `SharedLock` to use
   */
  constructor(type: T, sizeOrValues: number | Iterable<ElementOf<T>>, opts?: SharedDataOptions) {
    const values = typeof sizeOrValues === 'number' ? undefined : valuesOf(sizeOrValues);
    super('SharedArray', type, values?.length ?? checkLength(sizeOrValues as number), opts);
    if (values !== undefined) {
      for (let i = 0; i < values.length; i++) {
        this.view[i] = checkElement(this.info, values[i], `SharedArray: element ${i}`) as never;
      }
    }
  }

  /** How many elements it holds (fixed). */
  get length(): number {
    return this.view.length;
  }

  /**
   * The typed array over the same memory (`Int32Array` for `'i'`, ...): every thread sees
   * what it writes. Its writes are not checked: an integer out of range wraps, as in C.
   */
  get array(): ViewOf<T> {
    return this.view as ViewOf<T>;
  }

  /** The element at `index` (negative: from the end). */
  get(index: number): ElementOf<T> {
    return this.view[this.at(index, 'get')] as ElementOf<T>;
  }

  /** Writes the element at `index` (negative: from the end), checked as `SharedValue.value`. */
  set(index: number, value: ElementOf<T>): void {
    const i = this.at(index, 'set');
    this.view[i] = checkElement(this.info, value, `SharedArray.set(${index})`) as never;
  }

  /** A plain array of the values now (Python's `arr[:]`). */
  toArray(): ElementOf<T>[] {
    return Array.from(this.view as Iterable<ElementOf<T>>);
  }

  /** The values, from the first. */
  [Symbol.iterator](): IterableIterator<ElementOf<T>> {
    return (this.view as Iterable<ElementOf<T>>)[Symbol.iterator]() as IterableIterator<
      ElementOf<T>
    >;
  }

  protected shown(): string {
    const view = this.view;
    const first = Array.from(view.subarray(0, SHOWN), shownElement);
    if (view.length > SHOWN) first.push(`… ${view.length - SHOWN} more`);
    return `[${first.join(', ')}]`;
  }

  [CROSS](to: Destination): Crossed {
    return this.crossData(to);
  }

  private at(index: number, where: string): number {
    if (!Number.isInteger(index)) {
      throw new TypeError(`SharedArray.${where}(): the index must be an integer, not ${index}`);
    }
    const length = this.view.length;
    const i = index < 0 ? index + length : index;
    if (i < 0 || i >= length) {
      throw new RangeError(`SharedArray.${where}(${index}): index out of range (length ${length})`);
    }
    return i;
  }
}

/** How many elements `toString()` shows. */
const SHOWN = 10;

function checkLength(size: number): number {
  if (!Number.isSafeInteger(size)) {
    throw new TypeError(`SharedArray: the size must be an integer, not ${size}`);
  }
  if (size < 0) throw new RangeError(`SharedArray: the size must be 0 or more, not ${size}`);
  return size;
}

function valuesOf(values: unknown): unknown[] {
  if (
    typeof values === 'string' ||
    typeof (values as Iterable<unknown>)?.[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(
      `SharedArray: the second argument must be a size or an iterable of numbers, not ${typeof values}`,
    );
  }
  return Array.from(values as Iterable<unknown>);
}

registerShared(
  'SharedArray',
  (descriptor) => new SharedArray(typecodeOf(descriptor), 0, arrivalOf(descriptor)),
);
