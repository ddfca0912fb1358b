/**
 * `move()`: marks a buffer or port to be transferred rather than copied when it crosses.
 * A leaf module (it imports nothing of weft's but `describe`), so anything may use it.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { describe } from '../core/options.js';

const MOVE: unique symbol = Symbol.for('weft.move');

/** A value marked by `move()`: sent by transfer, not copied. */
export interface Moved<T> {
  readonly [MOVE]: true;
  readonly value: T;
  readonly transfer: Transferable[];
}

/** What `MessagePort`s look like to `move()`. */
export interface MessagePortLike {
  postMessage(value: unknown): void;
  close(): void;
}

/**
 * Marks `value` to be transferred rather than copied when it crosses into a worker or
 * back: an `ArrayBuffer`, a typed array or `DataView` (its buffer moves), or a
 * `MessagePort`. After the call the sender's copy is detached (empty), as with
 * `postMessage`'s transfer list.
 *
 * @example
 * ```ts
 * const pixels = new Uint8Array(1 << 24);
 * const future = executor.submit(blur, move(pixels)); // no 16 MB copy
 * // in the worker: return move(result) to send a buffer back the same way
 * ```
 */
export function move<T extends ArrayBuffer | ArrayBufferView | MessagePortLike>(value: T): T {
  let transfer: Transferable[];
  if (value instanceof ArrayBuffer) transfer = [value];
  else if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof ArrayBuffer)) {
      throw new TypeError(
        'move(value): a view over a SharedArrayBuffer is shared, not moved; pass it as it is',
      );
    }
    transfer = [value.buffer];
  } else if (isPort(value)) transfer = [value as unknown as Transferable];
  else {
    throw new TypeError(
      `move(value): only an ArrayBuffer, a typed array or DataView, or a MessagePort can be moved, got ${describe(value)}`,
    );
  }
  const moved: Moved<T> = { [MOVE]: true, value, transfer };
  return moved as unknown as T;
}

function isPort(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as MessagePortLike).postMessage === 'function' &&
    typeof (value as MessagePortLike).close === 'function'
  );
}

/** Whether `value` was marked by `move()`. */
export function isMoved(value: unknown): value is Moved<unknown> {
  return value !== null && typeof value === 'object' && (value as Moved<unknown>)[MOVE] === true;
}
