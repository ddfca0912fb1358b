/**
 * A `Connection` over a `net.Socket`. Each message is one frame: a 4-byte big-endian
 * payload length, a type byte (value or bytes), then the payload — a value encoded as
 * `value-wire.ts` says (data only, never code), decoded at the `recv` that takes it.
 * The socket's reader cuts frames into the connection's inbox `Channel`; its sends go
 * through a `SocketOutlet`, so the `Connection` logic is the one `Pipe` ends run.
 * @module
 */

import type { Socket } from 'node:net';
import { EOFError } from '../errors.js';
import { Channel, type Message, type Outlet } from '../pipe/channel.js';
import { type Connection, connectionOver } from '../pipe/pipe.js';
import { SOCKET_WIRE } from './value-wire.js';

/** Default largest message a connection accepts: 32 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

const HEADER_BYTES = 5;
const EMPTY = Buffer.alloc(0);
/** Up to this many bytes, a tick's frames are copied into one buffer for one write. */
const COALESCE_BYTES = 256 * 1024;
const VALUE = 0;
const BYTES = 1;
/** The largest payload the 4-byte length can state. */
const MAX_FRAME_PAYLOAD = 0xffff_ffff;

/** A socket connection's limits; `maxFrame` can be raised once the peer is authenticated. */
export class SocketLink {
  readonly connection: Connection;
  private readonly outlet: SocketOutlet;
  private readonly reader: FrameReader;

  constructor(
    readonly socket: Socket,
    maxMessageBytes: number,
    maxFrame = maxMessageBytes,
  ) {
    const inbox = new Channel();
    this.outlet = new SocketOutlet(socket, maxMessageBytes);
    this.reader = new FrameReader(inbox, maxFrame, (why) => this.broken(inbox, why));
    this.connection = connectionOver(inbox, this.outlet, SOCKET_WIRE);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('end', () => {
      this.outlet.peerGone();
      this.reader.end();
    });
    socket.on('error', (error) => {
      this.outlet.peerGone();
      inbox.endOfInput(
        `the connection failed: ${error.message}`,
        (why) => new EOFError(why, { cause: error }),
      );
    });
    socket.on('close', () => {
      this.outlet.peerGone();
      this.reader.end();
    });
  }

  /** The largest frame the reader accepts from now on (small during the handshake). */
  set maxFrame(bytes: number) {
    this.reader.maxFrame = bytes;
  }

  /** A malformed frame ends the connection: nothing more is read, nothing more is sent. */
  private broken(inbox: Channel, why: string): void {
    this.outlet.peerGone();
    this.socket.destroy();
    inbox.endOfInput(why, (reason) => new RangeError(reason));
  }
}

/** Where a socket connection's sends go: each message becomes one frame on the socket. */
class SocketOutlet implements Outlet {
  readerClosed = false;
  /** Frames sent this tick, written together at its end: one system call for many messages. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private drained: Promise<void> | undefined = undefined;
  private release: (() => void) | undefined = undefined;
  private readonly flush = (): void => this.writePending();
  private readonly wake = (): void => {
    const release = this.release;
    this.drained = this.release = undefined;
    release?.();
  };

  constructor(
    private readonly socket: Socket,
    private readonly maxMessageBytes: number,
  ) {
    socket.on('close', this.wake);
  }

  deliver(message: Message): void | Promise<void> {
    const payload = message.data as Uint8Array;
    const length = payload.byteLength;
    if (length > this.maxMessageBytes || length > MAX_FRAME_PAYLOAD) {
      throw new RangeError(
        `Connection.${message.bytes ? 'sendBytes' : 'send'}(): the message is ${length} bytes, more than maxMessageBytes (${this.maxMessageBytes})`,
      );
    }
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32BE(length, 0);
    header[4] = message.bytes ? BYTES : VALUE;
    if (this.pending.length === 0) process.nextTick(this.flush);
    this.pending.push(header, payload as Buffer);
    this.pendingBytes += HEADER_BYTES + length;
    if (this.socket.writableLength + this.pendingBytes < this.socket.writableHighWaterMark) {
      return undefined;
    }
    // The socket's buffer is full: the sender waits until this tick's write drains.
    this.drained ??= new Promise<void>((resolve) => {
      this.release = resolve;
    });
    return this.drained;
  }

  endOfInput(): void {
    this.readerClosed = true;
    this.writePending();
    // What was written still leaves; then the socket closes both ways.
    this.socket.destroySoon();
  }

  /** The peer closed or the socket failed: sends now would be lost. */
  peerGone(): void {
    this.readerClosed = true;
  }

  private writePending(): void {
    const { pending, pendingBytes, socket } = this;
    this.pending = [];
    this.pendingBytes = 0;
    if (pending.length === 0 || socket.destroyed) {
      this.wake();
      return;
    }
    let ok: boolean;
    // One buffer makes one write(2); writev(2) of many small pieces costs far more here.
    if (pendingBytes <= COALESCE_BYTES) {
      ok = socket.write(Buffer.concat(pending, pendingBytes));
    } else {
      socket.cork();
      ok = true;
      for (const piece of pending) ok = socket.write(piece);
      socket.uncork();
    }
    // A sender waits on what this write says, never on a guess made before it.
    if (this.release === undefined) return;
    if (ok) this.wake();
    else socket.once('drain', this.wake);
  }
}

/** Cuts the socket's byte stream into frames and delivers them to the inbox. */
class FrameReader {
  private chunks: Buffer[] = [];
  /** Bytes of `chunks[0]` already consumed. */
  private offset = 0;
  private buffered = 0;
  /** Bytes the next step needs: a header, or the payload the last header announced. */
  private need = HEADER_BYTES;
  /** The type of the frame whose payload is awaited, or -1 while a header is awaited. */
  private type = -1;
  private done = false;

  constructor(
    private readonly inbox: Channel,
    public maxFrame: number,
    private readonly broken: (why: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    while (this.buffered >= this.need) {
      const bytes = this.take(this.need);
      if (this.type >= 0) {
        this.inbox.deliver(
          this.type === BYTES
            ? { bytes: true, data: new Uint8Array(bytes) }
            : { bytes: false, data: bytes },
        );
        this.type = -1;
        this.need = HEADER_BYTES;
        continue;
      }
      const length = bytes.readUInt32BE(0);
      const type = bytes[4]!;
      if (type !== VALUE && type !== BYTES) {
        this.fail(
          `the peer sent a frame of unknown type ${type}: it does not speak weft's connection protocol; the connection was closed`,
        );
        return;
      }
      if (length > this.maxFrame) {
        // Refused on its header: nothing is buffered for it.
        this.fail(
          `the peer sent a frame of ${length} bytes, more than the ${this.maxFrame} accepted (maxMessageBytes); the connection was closed`,
        );
        return;
      }
      this.type = type;
      this.need = length;
    }
  }

  /** End of the byte stream: a frame cut short is an error, not a wait. */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.buffered > 0 || this.type >= 0) {
      this.inbox.endOfInput(
        `the connection ended in the middle of a frame (${this.buffered} of ${this.type >= 0 ? this.need : HEADER_BYTES} bytes): the peer sent a truncated message`,
      );
    } else {
      this.inbox.endOfInput(
        'the other end of the connection was closed (everything it sent before was received)',
      );
    }
    this.chunks = [];
  }

  private fail(why: string): void {
    this.done = true;
    this.chunks = [];
    this.buffered = 0;
    this.broken(why);
  }

  /** The next `n` buffered bytes: a view when they lie in one chunk, else a copy. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0]!;
    const available = first.byteLength - this.offset;
    if (n <= available) {
      const view = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.byteLength - this.offset, n - filled);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.offset += count;
      if (this.offset === chunk.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    return out;
  }
}
