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

/** Default longest line `readline` accepts: 64 KiB, its `\n` included. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/** Options of `readline`. */
export interface ReadlineOptions {
  /** Longest line accepted, `\n` included (default: the server's `maxLineLength`). */
  maxLength?: number | undefined;
}

/** The `RangeError`s `readline` rejects with for a line too long: the server reports them as `line-too-long`. */
const tooLong = new WeakSet<object>();

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
  private chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private buffered = 0;
  /** How far (from the read position) no `\n` was found: no byte is scanned twice. */
  private scanned = 0;
  private ended = false;
  private failure: unknown = undefined;
  private paused = false;
  private readonly highWater: number;
  /** The read parked in `more()`: its promise's resolvers, and its place on its task's WaitWatch. */
  private resolveMore: (() => void) | undefined = undefined;
  private rejectMore: ((reason: unknown) => void) | undefined = undefined;
  private parked: ParkedRead | undefined = undefined;
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
    return this.buffered;
  }

  /** Ends the reads: later ones reject with `reason` (the idle timer, the server's shutdown). */
  fail(reason: unknown): void {
    this.stop(reason);
    this.chunks = [];
    this.buffered = 0;
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
    this.ended = true;
    return this.take_(this.buffered);
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
   * no wait.
   */
  private lineAs<R>(maxLength: number, wrap: (line: Buffer) => R): Promise<R> {
    try {
      const line = this.nextLine(maxLength);
      if (line !== undefined) return Promise.resolve(wrap(line));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.lineLater(maxLength, wrap);
  }

  private async lineLater<R>(maxLength: number, wrap: (line: Buffer) => R): Promise<R> {
    for (;;) {
      await this.more();
      const line = this.nextLine(maxLength);
      if (line !== undefined) return wrap(line);
    }
  }

  /** The next line if one is complete (or input ended), else `undefined`; throws what a read must. */
  private nextLine(maxLength: number): Buffer | undefined {
    const end = this.findNewline(maxLength);
    if (end >= 0) return this.take_(end + 1);
    if (this.buffered >= maxLength) throw this.lineTooLong(maxLength);
    if (!this.ended) return undefined;
    if (this.failure !== undefined && this.buffered === 0) throw this.failure;
    return this.buffered === 0 ? EMPTY : this.take_(this.buffered);
  }

  /** Exactly `n` bytes; fewer only at end of input (the handshake frames use this). */
  async readExactly(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) await this.more();
    if (this.buffered < n && this.failure !== undefined) throw this.failure;
    return this.take_(Math.min(n, this.buffered));
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

  /** Index of the first `\n` within `maxLength` bytes, counted from the read position, or -1. */
  private findNewline(maxLength: number): number {
    const limit = Math.min(this.buffered, maxLength);
    let base = 0;
    let start = this.offset;
    for (const chunk of this.chunks) {
      const size = chunk.length - start;
      if (base + size > this.scanned) {
        const from = start + Math.max(0, this.scanned - base);
        const to = Math.min(chunk.length, start + limit - base);
        if (from < to) {
          const at = chunk.indexOf(NEWLINE, from);
          if (at >= 0 && at < to) return base + at - start;
        }
      }
      base += size;
      start = 0;
      if (base >= limit) break;
    }
    this.scanned = limit;
    return -1;
  }

  /** Removes and returns the next `n` buffered bytes. */
  private take_(n: number): Buffer {
    this.scanned = 0;
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const copied = chunk.copy(
          out,
          filled,
          this.offset,
          Math.min(chunk.length, this.offset + n - filled),
        );
        filled += copied;
        this.offset += copied;
        if (this.offset === chunk.length) {
          this.chunks.shift();
          this.offset = 0;
        }
      }
    }
    if (this.paused && this.buffered < this.highWater && !this.ended) {
      this.paused = false;
      this.socket.resume();
    }
    return out;
  }

  private take(chunk: Buffer): void {
    if (this.ended) return;
    if (this.idleTimeout > 0) this.lastInput = performance.now();
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= this.highWater && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wakeUp();
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
    this.wakeUp();
  }

  private wakeUp(): void {
    const resolve = this.resolveMore;
    if (resolve === undefined) return;
    const parked = this.parked;
    if (parked?.watch !== undefined) parked.watch.unlink(parked);
    this.resolveMore = this.rejectMore = undefined;
    this.waitingSince = 0;
    resolve();
  }

  /** The parked read's task was killed (or its task group cancelled): the read rejects with the reason. */
  private interruptRead(reason: unknown): void {
    const reject = this.rejectMore;
    if (reject === undefined) return;
    this.resolveMore = this.rejectMore = undefined;
    this.waitingSince = 0;
    reject(reason);
  }

  /**
   * Waits for input, the end, or the calling task's kill. The wait parks on the task's
   * `WaitWatch`, as weft's other waits do, through one link object per reader: no abort
   * signal, listener or closure is made per wait, which showed per line and per connection.
   */
  private more(): Promise<void> {
    if (this.paused) {
      // A read that wants more than the high-water mark (readExactly) takes it.
      this.paused = false;
      this.socket.resume();
    }
    const watch = currentIdentity()?.waitWatch;
    if (watch?.interrupted) return Promise.reject(watch.reason);
    if (this.idleTimeout > 0) this.waitingSince = performance.now();
    const promise = new Promise<void>((resolve, reject) => {
      this.resolveMore = resolve;
      this.rejectMore = reject;
    });
    if (watch !== undefined) {
      const parked = (this.parked ??= new ParkedRead((reason) => this.interruptRead(reason)));
      // A read abandoned while parked (one at a time is the rule) must not stay linked.
      if (parked.watch !== undefined) parked.watch.unlink(parked);
      watch.link(parked);
    }
    return promise;
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
