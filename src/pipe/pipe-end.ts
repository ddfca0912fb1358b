/**
 * `PipeEnd<S, R>`: the interface of one end of a `Pipe`, shared by the end itself
 * (`Connection`) and a handle on it in another thread or process (`ConnectionHandle`), and
 * the argument checks both make at the call.
 * @module
 */
import { describe, type WaitOptions } from '../core/options.js';

/**
 * One end of a pipe: sends values of type `S`, receives values of type `R` (Python's
 * `multiprocessing.connection.Connection`). Both `Connection` and the handle a thread or
 * process receives in its place implement it, so code typed with `PipeEnd` runs on either.
 *
 * @example
 * ```ts
 * export const echo = portable(import.meta.url, async (end: PipeEnd<string, string>) => {
 *   await using _ = end; // closes the end on the way out: the other side's recv gets EOFError
 *   for (;;) {
 *     const line = await end.recv();
 *     if (line === 'bye') return;
 *     await end.send(line.toUpperCase());
 *   }
 * });
 * ```
 */
export interface PipeEnd<S = unknown, R = unknown> {
  /** Whether this end was closed (by `close()` here or through any handle on it). */
  readonly closed: boolean;
  /** Whether this end can receive (`false` for the writer of `Pipe(false)`). */
  readonly readable: boolean;
  /** Whether this end can send (`false` for the reader of `Pipe(false)`). */
  readonly writable: boolean;
  /** Sends a copy of `value`; a value that cannot be copied rejects with a TypeError naming it. */
  send(value: S): Promise<void>;
  /** The next message, in the order sent; `EOFError` once the other end closed and all was received. */
  recv(opts?: WaitOptions): Promise<R>;
  /**
   * Whether `recv` would answer without waiting (a message is there, or the other end
   * closed), waiting up to `timeout` ms for one: `poll()` only looks, `poll(Infinity)` waits
   * until something arrives; `poll({ timeout, signal })` takes weft's usual options.
   */
  poll(timeout?: number | WaitOptions): Promise<boolean>;
  /** Sends `size` bytes of `buffer` from `offset` (in bytes) as one message. */
  sendBytes(buffer: ArrayBuffer | ArrayBufferView, offset?: number, size?: number): Promise<void>;
  /** The next message, sent with `sendBytes`; one longer than `maxLength` is refused and stays. */
  recvBytes(maxLength?: number, opts?: WaitOptions): Promise<Uint8Array>;
  /** Closes this end (idempotent): the other end receives what was sent, then `EOFError`. */
  close(): void | Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The options of `poll(timeout)`: a number is Python's positional timeout; an object is weft's options. */
export function pollOptions(timeout: unknown, where: string): WaitOptions | Error {
  if (typeof timeout === 'number') return { timeout };
  if (timeout !== null && typeof timeout === 'object') return timeout as WaitOptions;
  return new TypeError(
    `${where}: timeout must be a number of milliseconds or { timeout, signal }, got ${describe(timeout)}`,
  );
}

/** Checks `recvBytes(maxLength)`: absent, or a whole number of bytes `>= 0`. */
export function invalidMaxLength(maxLength: unknown, where: string): Error | undefined {
  if (maxLength === undefined) return undefined;
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength)) {
    return new TypeError(
      `${where}: maxLength must be a whole number of bytes, got ${describe(maxLength)}`,
    );
  }
  if (maxLength < 0) return new RangeError(`${where}: maxLength must be >= 0, got ${maxLength}`);
  return undefined;
}

/**
 * A copy of the `size` bytes of `buffer` starting at byte `offset` (Python's
 * `send_bytes(buf, offset, size)`), owned by the message. Throws TypeError for what is not
 * a buffer or a non-integer offset/size, RangeError for a range outside the buffer.
 */
export function bytesOf(
  buffer: unknown,
  offset: unknown,
  size: unknown,
  where: string,
): Uint8Array {
  let view: Uint8Array;
  if (buffer instanceof ArrayBuffer || buffer instanceof SharedArrayBuffer) {
    view = new Uint8Array(buffer);
  } else if (ArrayBuffer.isView(buffer)) {
    view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else {
    throw new TypeError(
      `${where}: buffer must be an ArrayBuffer, a typed array, a DataView or a Buffer, got ${describe(buffer)}`,
    );
  }
  const length = view.byteLength;
  const start = offset === undefined ? 0 : byteCount(offset, 'offset', where);
  if (start > length) {
    throw new RangeError(
      `${where}: offset ${start} is past the end of the buffer (${length} bytes)`,
    );
  }
  const count = size === undefined ? length - start : byteCount(size, 'size', where);
  if (start + count > length) {
    throw new RangeError(
      `${where}: offset ${start} + size ${count} is past the end of the buffer (${length} bytes)`,
    );
  }
  return view.slice(start, start + count);
}

function byteCount(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(
      `${where}: ${name} must be a whole number of bytes, got ${describe(value)}`,
    );
  }
  if (value < 0) throw new RangeError(`${where}: ${name} must be >= 0, got ${value}`);
  return value;
}
