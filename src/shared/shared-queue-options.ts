/**
 * The options of `new SharedQueue()`, and their check.
 * @module
 */
import { describe, refuseUnknownOptions, shownName } from '../core/options.js';

const DEFAULT_BYTES = 1 << 20;
const MIN_BYTES = 64;
const MAX_BYTES = 2 ** 28;

/** Options of `new SharedQueue()`. */
export interface SharedQueueOptions {
  /** The most items it holds (`0`, the default: no bound but its bytes). */
  maxsize?: number;
  /** The size of its ring of bytes (default 1 MiB): items are held serialized, with 4 to 7 bytes each besides. */
  bytes?: number;
  /** What the local dashboard calls it (default: a label such as `SharedQueue 2 (maxsize 100)`). */
  name?: string;
}

/** `options` checked (a number is a `maxsize`), `bytes` rounded up to whole words; a TypeError or RangeError otherwise. */
export function checkOptions(options: SharedQueueOptions | number): {
  maxsize: number;
  bytes: number;
  name: string | null;
} {
  const given = typeof options === 'number' ? { maxsize: options } : options;
  if (given === null || typeof given !== 'object') {
    throw new TypeError(
      `new SharedQueue(options): options must be an object like { maxsize, bytes } or a maxsize, got ${describe(options)}`,
    );
  }
  refuseUnknownOptions(given, ['maxsize', 'bytes', 'name'], 'new SharedQueue()');
  const { maxsize = 0, bytes = DEFAULT_BYTES } = given;
  const name = shownName(given.name, 'new SharedQueue()');
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize < 0) {
    throw new TypeError(
      `new SharedQueue(): maxsize must be an integer >= 0 (0: no bound), got ${describe(maxsize)}`,
    );
  }
  if (
    typeof bytes !== 'number' ||
    !Number.isInteger(bytes) ||
    bytes < MIN_BYTES ||
    bytes > MAX_BYTES
  ) {
    throw new RangeError(
      `new SharedQueue(): bytes must be an integer from ${MIN_BYTES} to ${MAX_BYTES}, got ${describe(bytes)}`,
    );
  }
  return { maxsize, bytes: (bytes + 3) & ~3, name };
}
