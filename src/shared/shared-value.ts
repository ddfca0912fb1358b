/**
 * `SharedValue` — one typed number in shared memory with the lock that guards it: Python's
 * `multiprocessing.Value` between the threads of one process.
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import {
  arrivalOf,
  arrived,
  SharedData,
  type SharedDataOptions,
  shownElement,
  typecodeOf,
} from './shared-data.js';
import { registerShared } from './shared-transport.js';
import { checkElement, type ElementOf, type TypeCode } from './typecodes.js';

/**
 * A number of type `T` in shared memory (`'i'`: an int32, `'d'`: a float64, `'q'`: an int64
 * read and written as a `BigInt`, ...), with a `SharedLock` to guard it unless made with
 * `{ lock: false }`. Passed to a `Thread` or a thread-pool task it arrives as a
 * `SharedValue` on the same memory with the same lock. It cannot go to a `Process` (a
 * `TypeError`: use a Manager there).
 *
 * As in Python, `v.value += 1` is a read and then a write, not one step: two threads doing
 * it at once can lose an update. Hold the lock around it.
 *
 * @example
 * ```ts
 * const counter = new SharedValue('i', 0);
 * // in each of several threads:
 * using _ = await counter.getLock().guard();
 * counter.value += 1;
 * ```
 */
export class SharedValue<T extends TypeCode = TypeCode> extends SharedData<T> {
  /**
   * @param type a Python typecode (`'i'`) or a name (`'int32'`)
   * @param init the first value (default 0, or `0n` for the 64-bit types)
   * @param opts `lock`: `true` (default), `false`, or a `SharedLock` to use
   */
  constructor(type: T, init?: ElementOf<T>, opts?: SharedDataOptions) {
    super('SharedValue', type, 1, opts);
    if (init !== undefined && !arrived(opts)) {
      this.view[0] = checkElement(this.info, init, 'SharedValue') as never;
    }
  }

  /** The value now. */
  get value(): ElementOf<T> {
    return this.view[0] as ElementOf<T>;
  }

  /** Writes the value: a `TypeError` for the wrong kind, a `RangeError` out of the type's range. */
  set value(value: ElementOf<T>) {
    this.view[0] = checkElement(this.info, value, 'SharedValue.value') as never;
  }

  protected shown(): string {
    return shownElement(this.view[0]!);
  }

  [CROSS](to: Destination): Crossed {
    return this.crossData(to);
  }
}

registerShared(
  'SharedValue',
  (descriptor) => new SharedValue(typecodeOf(descriptor), undefined, arrivalOf(descriptor)),
);
