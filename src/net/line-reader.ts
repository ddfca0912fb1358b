/**
 * `LineReader` — a stream request handler's `rfile`: lines (and exact byte counts) read
 * from a socket, with the socket paused while enough is buffered, so a connection never
 * holds much more than one line however fast its peer writes.
 * @module
 */
import type { Socket } from 'node:net';
import { describe } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import type { WaitWatch, WatchedWait } from '../core/wait-watch.js';
import { BrokenPipeError, TimeoutError } from '../errors.js';
import { ChunkQueue, EMPTY } from './chunk-queue.js';

/** Default longest line `readline` accepts: 64 KiB, its `\n` included. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

/** Options of `readline`. */
export interface ReadlineOptions {
  /** Longest line accepted, `\n` included (default: the server's `maxLineLength`). */
  maxLength?: number | undefined;
}

/** The `RangeError`s `readline` rejects with for a line too long: the server reports them as `line-too-long`. */
const tooLong = new WeakSet<object>();

/** What a parked read waits for: nothing parked, a line, or a byte count (`readExactly`). */
const NONE = 0;
const LINE = 1;
const BYTES = 2;
type Wanted = typeof NONE | typeof LINE | typeof BYTES;

const DONE: IteratorResult<Buffer> = { value: undefined, done: true };
const toResult = (line: Buffer): IteratorResult<Buffer> =>
  line.length === 0 ? DONE : { value: line, done: false };
const asLine = (line: Buffer): Buffer => line;

/** Whether `error` is the `RangeError` of a line longer than the limit. */
export function isLineTooLong(error: unknown): boolean {
  return typeof error === 'object' && error !== null && tooLong.has(error);
}

/** A checked positive integer length option, or the default. */
export function checkLength(value: unknown, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`${where} must be a positive integer of bytes, got ${describe(value)}`);
  }
  return value;
}

/**
 * Reads a socket as lines. `readline()` resolves with the next line, ending in `\n`; at
 * end of input the last partial line without it, then an empty `Buffer` for good. A line
 * longer than `maxLength` rejects with a `RangeError` — and every later read with it too,
 * since the rest of that line cannot be told from the next. `for await (const line of
 * rfile)` iterates the lines. With `idleTimeout`, a read that waits that long without any
 * input closes the connection and rejects with a weft `TimeoutError`.
 *
 * @example
 * ```ts
 * class Upper extends StreamRequestHandler {
 *   async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line.toString().toUpperCase());
 *   }
 * }
 * ```
 */
export class LineReader implements AsyncIterable<Buffer> {
  /** Longest line `readline()` accepts without `maxLength`. */
  readonly maxLineLength: number;
  private readonly socket: Socket;
  /** What was received and not read yet. */
  private readonly queue = new ChunkQueue();
  private ended = false;
  private failure: unknown = undefined;
  private paused = false;
  private readonly highWater: number;
  /**
   * The parked read (one at a time): what it waits for (a line within `wantLength` bytes,
   * made into its value by `wrap`, or `wantLength` bytes), its promise's resolvers, and its
   * place on its task's WaitWatch. Input settles it from the 'data' handler itself: the
   * handler's `await` is the only hop from a line's arrival to its use.
   */
  private wanted: Wanted = NONE;
  private wantLength = 0;
  private wrap: (line: Buffer) => unknown = asLine;
  private resolveRead: ((value: unknown) => void) | undefined = undefined;
  private rejectRead: ((reason: unknown) => void) | undefined = undefined;
  /** Set while `settle` computes a parked read's value (a too-long line fails the reader meanwhile). */
  private settling = false;
  private parked: ParkedRead | undefined = undefined;
  /** The parked read's promise executor: made once, no closure per read. */
  private readonly keepResolvers = (
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) => {
    this.resolveRead = resolve;
    this.rejectRead = reject;
  };
  /** @internal Told of each chunk of input: the connection's writer (the server pairs them). */
  inputListener: { inputArrived(): void } | undefined = undefined;
  private readonly idleTimeout: number;
  private lastInput = 0;
  private waitingSince = 0;
  private idleTimer: NodeJS.Timeout | undefined = undefined;

  private readonly onData = (chunk: Buffer) => this.take(chunk);
  private readonly onEnd = () => this.stop(undefined);
  // A close after a clean end is no failure: the error (and its stack) is made only when it is one.
  private readonly onClose = () => {
    if (!this.ended) this.stop(new BrokenPipeError('the connection was closed'));
  };
  private readonly onError = (error: Error) => this.stop(error);

  /** Wraps `socket` (the server makes one per connection; `idleTimeout` 0 means none). */
  constructor(socket: Socket, maxLineLength = DEFAULT_MAX_LINE_LENGTH, idleTimeout = 0) {
    this.socket = socket;
    this.maxLineLength = maxLineLength;
    this.highWater = Math.max(maxLineLength, 16 * 1024);
    this.idleTimeout = idleTimeout;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    // A socket paused by an earlier reader (a handshake's) flows again.
    socket.resume();
    if (idleTimeout > 0) {
      this.lastInput = performance.now();
      this.armIdle(idleTimeout);
    }
  }

  /** Bytes held for reads to come (bounded by about `maxLineLength` plus one socket chunk). */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /** Ends the reads: a parked one and later ones reject with `reason` (the idle timer, the server's shutdown). */
  fail(reason: unknown): void {
    // Dropped first, so that the parked read gets `reason` and not what was buffered.
    this.queue.clear();
    this.stop(reason);
  }

  /**
   * Stops reading the socket and returns what was buffered and not read: the socket is
   * left paused for another reader (after a handshake).
   */
  detach(): Buffer {
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
    socket.pause();
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    // A read abandoned there (its handshake timed out) leaves its task's WaitWatch.
    this.unpark();
    this.ended = true;
    return this.queue.take(this.queue.length);
  }

  /** The next line, ending in `\n`; the partial last one at end of input; then an empty Buffer. */
  readline(opts?: ReadlineOptions): Promise<Buffer> {
    let maxLength = this.maxLineLength;
    if (opts?.maxLength !== undefined) {
      try {
        maxLength = checkLength(opts.maxLength, 0, 'readline({ maxLength }): maxLength');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.lineAs(maxLength, asLine);
  }

  /**
   * The next line as `wrap` makes it (the line, or an iterator result): one promise per
   * line, none more. A line already buffered (the common case when a peer pipelines) costs
   * no wait; else the read parks until the 'data' handler settles it with its line.
   */
  private lineAs<R>(maxLength: number, wrap: (line: Buffer) => R): Promise<R> {
    try {
      const line = this.nextLine(maxLength);
      if (line !== undefined) return Promise.resolve(wrap(line));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.park(LINE, maxLength, wrap) as Promise<R>;
  }

  /** The next line if one is complete (or input ended), else `undefined`; throws what a read must. */
  private nextLine(maxLength: number): Buffer | undefined {
    const queue = this.queue;
    const end = queue.indexOfNewline(maxLength);
    if (end >= 0) return this.taken(queue.take(end + 1));
    if (queue.length >= maxLength) throw this.lineTooLong(maxLength);
    if (!this.ended) return undefined;
    if (this.failure !== undefined && queue.length === 0) throw this.failure;
    return queue.length === 0 ? EMPTY : queue.take(queue.length);
  }

  /** Exactly `n` bytes; fewer only at end of input (the handshake frames use this). */
  readExactly(n: number): Promise<Buffer> {
    try {
      const bytes = this.nextBytes(n);
      if (bytes !== undefined) return Promise.resolve(bytes);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.park(BYTES, n, asLine) as Promise<Buffer>;
  }

  /** `n` bytes if they are buffered (fewer once input ended), else `undefined`; throws the failure that ended it. */
  private nextBytes(n: number): Buffer | undefined {
    const queue = this.queue;
    if (queue.length < n) {
      if (!this.ended) return undefined;
      if (this.failure !== undefined) throw this.failure;
    }
    return this.taken(queue.take(Math.min(n, queue.length)));
  }

  /** `read`, just taken from the queue: a socket paused while much was held flows again once little is. */
  private taken(read: Buffer): Buffer {
    if (this.paused && this.queue.length < this.highWater && !this.ended) {
      this.paused = false;
      this.socket.resume();
    }
    return read;
  }

  /** The lines, until the end of input (a plain iterator: no generator per connection). */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.lineAs(this.maxLineLength, toResult),
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  private lineTooLong(maxLength: number): RangeError {
    const error = new RangeError(
      `readline: a line is longer than ${maxLength} bytes (maxLineLength); the connection cannot be read further`,
    );
    tooLong.add(error);
    this.fail(error);
    return error;
  }

  private take(chunk: Buffer): void {
    if (this.ended) return;
    if (this.idleTimeout > 0) this.lastInput = performance.now();
    this.inputListener?.inputArrived();
    this.queue.push(chunk);
    if (this.wanted !== NONE) this.settle();
    // A read still parked wants more than is held: the socket flows on for it.
    if (this.queue.length >= this.highWater && !this.paused && this.wanted === NONE) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private stop(failure: unknown): void {
    if (this.ended) {
      // A close after a clean end is no failure; an error after it is kept for reads to come.
      if (
        this.failure === undefined &&
        failure !== undefined &&
        !(failure instanceof BrokenPipeError)
      )
        this.failure = failure;
      return;
    }
    this.ended = true;
    this.failure = failure;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.settle();
  }

  /**
   * Parks a read until input, the end, or the calling task's kill settles it. The wait
   * parks on the task's `WaitWatch`, as weft's other waits do, through one link object per
   * reader: no abort signal, listener or closure is made per wait, which showed per line
   * and per connection.
   */
  private park(wanted: Wanted, length: number, wrap: (line: Buffer) => unknown): Promise<unknown> {
    if (this.paused) {
      // A read that wants more than the high-water mark (readExactly, a long maxLength) takes it.
      this.paused = false;
      this.socket.resume();
    }
    const watch = currentIdentity()?.waitWatch;
    if (watch?.interrupted) return Promise.reject(watch.reason);
    // A read abandoned while parked (one at a time is the rule) must not stay linked.
    this.unpark();
    if (this.idleTimeout > 0) this.waitingSince = performance.now();
    this.wanted = wanted;
    this.wantLength = length;
    this.wrap = wrap;
    if (watch !== undefined) {
      this.parked ??= new ParkedRead((reason) => this.interruptRead(reason));
      watch.link(this.parked);
    }
    return new Promise(this.keepResolvers);
  }

  /** Settles the parked read if what it waits for is here (or input ended); called on input and at the end. */
  private settle(): void {
    if (this.wanted === NONE || this.settling) return;
    this.settling = true;
    let value: unknown;
    let failed = false;
    try {
      if (this.wanted === BYTES) value = this.nextBytes(this.wantLength);
      else {
        const line = this.nextLine(this.wantLength);
        if (line !== undefined) value = this.wrap(line);
      }
    } catch (error) {
      value = error;
      failed = true;
    }
    this.settling = false;
    if (value === undefined && !failed) return;
    const resolve = this.resolveRead!;
    const reject = this.rejectRead!;
    this.unpark();
    if (failed) reject(value);
    else resolve(value);
  }

  /** Forgets the parked read, if any: off its task's WaitWatch, its resolvers dropped. */
  private unpark(): void {
    const parked = this.parked;
    if (parked?.watch !== undefined) parked.watch.unlink(parked);
    this.wanted = NONE;
    this.resolveRead = this.rejectRead = undefined;
    this.waitingSince = 0;
  }

  /** The parked read's task was killed (or its task group cancelled): the read rejects with the reason. */
  private interruptRead(reason: unknown): void {
    const reject = this.rejectRead;
    if (reject === undefined) return;
    this.unpark();
    reject(reason);
  }

  /** Closes the connection once a read has waited `idleTimeout` ms without input. */
  private armIdle(delay: number): void {
    this.idleTimer = setTimeout(() => {
      // Decided after this turn's input is in: a busy loop must not make a live peer idle.
      setImmediate(() => this.checkIdle());
    }, delay);
  }

  private checkIdle(): void {
    if (this.ended) return;
    const now = performance.now();
    const since = Math.max(this.lastInput, this.waitingSince);
    if (this.waitingSince === 0 || now - since < this.idleTimeout) {
      this.armIdle(this.waitingSince === 0 ? this.idleTimeout : this.idleTimeout - (now - since));
      return;
    }
    const error = new TimeoutError(
      `the connection sent nothing for ${this.idleTimeout} ms (idleTimeout) and was closed`,
    );
    this.fail(error);
    this.socket.destroy();
  }
}

/** A reader's parked read as its task's `WaitWatch` links it (one per reader, reused). */
class ParkedRead implements WatchedWait {
  readonly waiter: { interrupt(reason: unknown): void };
  watch: WaitWatch | undefined = undefined;
  watchPrev: WatchedWait | null = null;
  watchNext: WatchedWait | null = null;
  constructor(interrupt: (reason: unknown) => void) {
    this.waiter = { interrupt };
  }
}
