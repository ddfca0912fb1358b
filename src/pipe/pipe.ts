/**
 * `Pipe(duplex)` and its two `Connection` ends — Python's `multiprocessing.Pipe`: messages
 * (copied values, or bytes) in order, `poll`, and end-of-file once the other end closes.
 * An end passed to a Thread (or a Process) arrives there as a `ConnectionHandle` on the same
 * end, so the two ends of one pipe can live in different threads.
 * @module
 */

import { decodeValues, encodeValues } from '../codec/codec.js';
import { whenDecodable } from '../codec/decodable.js';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import type { OnTimeout } from '../core/waiter.js';
import { BrokenPipeError, RuntimeError, TimeoutError } from '../errors.js';
import { type Accept, Channel, type Message, type Outlet } from './channel.js';
import { bytesOf, invalidMaxLength, type PipeEnd, pollOptions } from './pipe-end.js';

/** Only `Pipe()` makes ends. */
const MAKE: unique symbol = Symbol('weft.pipe.make');

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * How a `Connection`'s values travel: `encode` turns a value into what its outlet carries
 * (throwing a TypeError for what cannot be sent), `decode` turns what its inbox received
 * back into a value, at the `recv` that takes it.
 */
export interface Wire {
  encode(value: unknown): unknown;
  decode(data: unknown): unknown;
}

/**
 * One end of a `Pipe`: sends values of type `S` and receives values of type `R`. Every
 * value is copied on the way (structured clone, as into another thread): the receiver
 * gets its own copy, a weft primitive inside arrives as a handle on it, and a value that
 * cannot be copied (a function, a socket, ...) is refused at the `send` with a TypeError
 * naming it.
 *
 * Closing an end closes it everywhere — here and for every thread holding a handle on it;
 * there are no per-process copies to close as in Python. The other end then receives
 * what was sent before and then `EOFError`; its `send` rejects with `BrokenPipeError`.
 *
 * @example
 * ```ts
 * const [left, right] = Pipe<string>();
 * await left.send('ping');
 * console.log(await right.recv());          // 'ping'
 * console.log(await right.poll());          // false: nothing more yet
 * left.close();
 * await right.recv().catch((e) => e.name);  // 'EOFError'
 * ```
 */
export class Connection<S = unknown, R = unknown> implements PipeEnd<S, R>, Disposable {
  private isClosed = false;

  /** @internal Ends are made by `Pipe()`, `Listener.accept()` and `Client()`. */
  constructor(
    token: typeof MAKE,
    private readonly inbox: Channel | undefined,
    private readonly outbox: Outlet | undefined,
    private readonly wire: Wire = PIPE_WIRE,
  ) {
    if (token !== MAKE) {
      throw new TypeError(
        'Connection: connections are made by Pipe(), Listener.accept() and Client(), not by new Connection()',
      );
    }
  }

  /** Whether this end was closed (here or through a handle on it). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether this end can receive (`false` for the writer of `Pipe(false)`). */
  get readable(): boolean {
    return this.inbox !== undefined;
  }

  /** Whether this end can send (`false` for the reader of `Pipe(false)`). */
  get writable(): boolean {
    return this.outbox !== undefined;
  }

  /**
   * Sends a copy of `value` (never waits: a pipe is unbounded). Rejects with a TypeError
   * naming a value that cannot be copied, `BrokenPipeError` when the other end is closed,
   * `RuntimeError` when this end is closed or read-only.
   */
  send(value: S): Promise<void> {
    try {
      const outbox = this.writer('send');
      const data = this.wire.encode(value);
      if (outbox.readerClosed) throw brokenPipe('send');
      return outbox.deliver({ bytes: false, data }) ?? RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Sends `size` bytes of `buffer` from byte `offset` (default: all of it) as one message,
   * copied. Rejects with TypeError/RangeError for a bad buffer or range, and as `send` does.
   */
  sendBytes(buffer: ArrayBuffer | ArrayBufferView, offset?: number, size?: number): Promise<void> {
    try {
      const outbox = this.writer('sendBytes');
      const data = bytesOf(buffer, offset, size, 'Connection.sendBytes()');
      if (outbox.readerClosed) throw brokenPipe('sendBytes');
      return outbox.deliver({ bytes: true, data }) ?? RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The next message, waiting for one (messages sent with `sendBytes` come as a
   * `Uint8Array`). Rejects with `EOFError` once the other end closed and everything it
   * sent was received, weft's `TimeoutError` when `timeout` runs out, the signal's reason
   * when aborted — an aborted or timed-out `recv` takes nothing.
   */
  recv(opts?: WaitOptions): Promise<R> {
    const refused = this.refuseRead('recv', opts);
    if (refused) return refused;
    const { decode } = this.wire;
    return this.inbox!.receive(opts, takeAny, recvTimedOut).then((message) =>
      message.bytes ? message.data : decode(message.data),
    ) as Promise<R>;
  }

  /**
   * The next message, which must have been sent with `sendBytes`. A message longer than
   * `maxLength` bytes, or one sent with `send`, is refused (RangeError, TypeError) and
   * stays first in line, for a `recvBytes` with room for it or a `recv`. Otherwise as `recv`.
   */
  recvBytes(maxLength?: number, opts?: WaitOptions): Promise<Uint8Array> {
    const invalid = invalidMaxLength(maxLength, 'Connection.recvBytes()');
    if (invalid) return Promise.reject(invalid);
    const refused = this.refuseRead('recvBytes', opts);
    if (refused) return refused;
    const accept = maxLength === undefined ? takeBytes : takeBytesUpTo(maxLength);
    return this.inbox!.receive(opts, accept, recvBytesTimedOut).then(bytesOfMessage);
  }

  /**
   * Whether `recv` would answer now — a message is waiting, or the other end closed (then
   * `recv` rejects with `EOFError`) — waiting up to `timeout` ms for that (Python's
   * `poll(timeout)`): `poll()` only looks, `poll(Infinity)` waits until something arrives.
   * `poll({ timeout, signal })` takes weft's options (no timeout: wait until something arrives).
   */
  poll(timeout: number | WaitOptions = 0): Promise<boolean> {
    const opts = pollOptions(timeout, 'Connection.poll()');
    if (opts instanceof Error) return Promise.reject(opts);
    const refused = this.refuseRead('poll', opts);
    if (refused) return refused;
    return this.inbox!.poll(opts);
  }

  /**
   * Closes this end; idempotent. The other end receives what was already sent, then
   * `EOFError`, and its sends reject with `BrokenPipeError`. What was sent to this end and
   * not yet received is dropped; a `recv` waiting here rejects with `EOFError`.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.outbox?.endOfInput(
      'the other end of the pipe was closed (everything it sent before was received)',
    );
    if (this.inbox !== undefined) {
      this.inbox.closeReader();
      this.inbox.endOfInput('this end of the pipe was closed while it waited');
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return RESOLVED;
  }

  /** The outlet this end sends through; throws when it cannot send. */
  private writer(method: string): Outlet {
    if (this.isClosed) throw closedEnd(method);
    if (this.outbox === undefined) {
      throw new RuntimeError(
        `Connection.${method}(): this end is read-only (Pipe(false) returns [reader, writer])`,
      );
    }
    return this.outbox;
  }

  /** A rejection when this end cannot wait for input with `opts` now, else `undefined`. */
  private refuseRead(method: string, opts: WaitOptions | undefined): Promise<never> | undefined {
    if (this.isClosed) return Promise.reject(closedEnd(method));
    if (this.inbox === undefined) {
      return Promise.reject(
        new RuntimeError(
          `Connection.${method}(): this end is write-only (Pipe(false) returns [reader, writer])`,
        ),
      );
    }
    return opts === undefined ? undefined : refuseWait(opts, `Connection.${method}`);
  }
}

/**
 * A pipe: two connected `Connection` ends (Python's `multiprocessing.Pipe`). Duplex (the
 * default): each end sends and receives — the first sends `A` and receives `B`, the second
 * the reverse. `Pipe(false)` returns `[reader, writer]`: the reader only receives, the
 * writer only sends. Pass an end to a `Thread` (or a `Process`) and it arrives as a
 * `ConnectionHandle` on the same end; its calls run here, so this thread must stay alive
 * while the other side uses it.
 *
 * @example
 * ```ts
 * const [parent, child] = Pipe<string, number>(); // parent sends strings, receives numbers
 * new Thread(countChars, { args: [child] }).start();
 * await parent.send('hello');
 * console.log(await parent.recv()); // 5, sent back by the thread
 *
 * const [reader, writer] = Pipe<string>(false);
 * await writer.send('one way');
 * console.log(await reader.recv()); // 'one way'
 * ```
 */
export function Pipe<T = unknown>(
  duplex: false,
): [reader: Connection<never, T>, writer: Connection<T, never>];
export function Pipe<A = unknown, B = A>(duplex?: boolean): [Connection<A, B>, Connection<B, A>];
export function Pipe(duplex = true): [Connection, Connection] {
  if (typeof duplex !== 'boolean') {
    throw new TypeError(`Pipe(duplex): duplex must be a boolean, got ${describe(duplex)}`);
  }
  const forward = new Channel();
  if (!duplex)
    return [new Connection(MAKE, forward, undefined), new Connection(MAKE, undefined, forward)];
  const backward = new Channel();
  return [new Connection(MAKE, backward, forward), new Connection(MAKE, forward, backward)];
}

/**
 * A `Connection` over `inbox` and `outbox` whose values travel as `wire` says: how a
 * socket connection is made (src/net). Not part of the public API.
 */
export function connectionOver(
  inbox: Channel | undefined,
  outbox: Outlet | undefined,
  wire: Wire,
): Connection {
  return new Connection(MAKE, inbox, outbox, wire);
}

/** A copy of `value` as the receiving end will own it; weft primitives inside cross as handles. */
function copyOf(value: unknown): unknown {
  if (
    value === null ||
    (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
  ) {
    return value;
  }
  const { values, transfer } = encodeValues([value], 'Connection.send()');
  try {
    return structuredClone(values[0], { transfer });
  } catch (error) {
    throw new TypeError(
      `Connection.send(): the value (${describe(value)}) cannot be sent: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function decodeValue(data: unknown): unknown {
  const values = [data];
  const classes = whenDecodable(values);
  return classes === undefined
    ? decodeValues(values)[0]
    : classes.then(() => decodeValues(values)[0]);
}

/** Between two ends of a `Pipe` in one process, values are structured clones. */
const PIPE_WIRE: Wire = { encode: copyOf, decode: decodeValue };

function bytesOfMessage(message: Message): Uint8Array {
  return message.data as Uint8Array;
}

const takeAny: Accept = () => undefined;

const takeBytes: Accept = (message) =>
  message.bytes
    ? undefined
    : new TypeError(
        'Connection.recvBytes(): the next message was sent with send(), not sendBytes(); receive it with recv()',
      );

function takeBytesUpTo(maxLength: number): Accept {
  return (message) => {
    const refused = takeBytes(message);
    if (refused !== undefined) return refused;
    const length = (message.data as Uint8Array).byteLength;
    return length <= maxLength
      ? undefined
      : new RangeError(
          `Connection.recvBytes(${maxLength}): the next message is ${length} bytes, longer than maxLength; it stays in the pipe`,
        );
  };
}

const recvTimedOut: OnTimeout<Message> = () => {
  throw new TimeoutError('Connection.recv(): no message arrived within the timeout');
};

const recvBytesTimedOut: OnTimeout<Message> = () => {
  throw new TimeoutError('Connection.recvBytes(): no message arrived within the timeout');
};

function closedEnd(method: string): RuntimeError {
  return new RuntimeError(`Connection.${method}(): this end of the pipe is closed`);
}

function brokenPipe(method: string): BrokenPipeError {
  return new BrokenPipeError(
    `Connection.${method}(): the other end of the pipe was closed; nobody can receive this`,
  );
}
