/**
 * One socket between a process and a primitive's owner, carrying any number of numbered
 * channels, each of which behaves like a `MessagePort` (`SocketChannel`): handles and the
 * owner's server are written against that shape, so they work unchanged over a socket.
 *
 * Frames are a 4-byte length and `[channel, op, payload]`, V8-serialized, or as JSON text
 * when JSON carries it exactly (frame-body.ts): neither runs code while decoding (unlike
 * pickle), and V8 serialization carries everything structured clone does except
 * transferables.
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { serialize } from 'node:v8';
import type { Transferable } from 'node:worker_threads';
import type { Endpoint } from './endpoint.js';
import { jsonText, readFrame } from './frame-body.js';

/** Frame ops: open a channel (payload: the token), a message on it, its end. */
const OPEN = 0;
const MESSAGE = 1;
const CLOSE = 2;

type Frame = [channel: number, op: number, payload: unknown];

/** A channel over a `SocketLink`, with a `MessagePort`'s shape (`message` and `close` events). */
export class SocketChannel extends EventEmitter implements Endpoint {
  readonly crossesTo = 'process';
  private refed = false;
  private ended = false;

  constructor(
    private readonly link: SocketLink,
    readonly id: number,
  ) {
    super();
  }

  /**
   * Sends `value` (V8-serialized). Buffers in `transfer` are copied, not moved — a process
   * cannot share them; a `MessagePort` cannot cross at all.
   */
  postMessage(value: unknown, transfer?: readonly Transferable[]): void {
    if (transfer !== undefined) {
      for (const item of transfer) {
        if (!(item instanceof ArrayBuffer)) {
          throw new TypeError(
            'a MessagePort cannot cross into another process; pass data, or a weft primitive (it crosses as a handle)',
          );
        }
      }
    }
    if (this.ended) return; // as a closed MessagePort: dropped
    this.link.send([this.id, MESSAGE, value]);
  }

  /** Keeps the process alive while this channel waits for an answer. */
  ref(): void {
    if (this.refed || this.ended) return;
    this.refed = true;
    this.link.holds(1);
  }

  unref(): void {
    if (!this.refed) return;
    this.refed = false;
    this.link.holds(-1);
  }

  /** Ends the channel on both sides (as `MessagePort.close()`): both emit `close`. */
  close(): void {
    if (this.ended) return;
    this.link.send([this.id, CLOSE, null]);
    this.end();
  }

  /** @internal The channel ended, from here or from the other side. */
  end(): void {
    if (this.ended) return;
    this.unref();
    this.ended = true;
    this.link.forget(this.id);
    this.emit('close');
  }
}

/** Frames up to this size are copied behind their header and written as one buffer. */
const COPY_LIMIT = 64 * 1024;

/**
 * One end of a socket carrying channels. The client side opens channels by token; the
 * owner's side is told of each one by `onOpen`. When the socket ends, for any reason
 * (the other process died), every channel on it emits `close`.
 */
export class SocketLink {
  private readonly channels = new Map<number, SocketChannel>();
  private nextId = 1;
  private holders = 0;
  private pending: Buffer | undefined = undefined;
  private ended = false;

  constructor(
    private readonly socket: Socket,
    private readonly onOpen?: (channel: SocketChannel, token: string) => void,
    private readonly onEnd?: () => void,
  ) {
    socket.setNoDelay(true);
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // An error is always followed by 'close'; the channels end there.
    socket.on('error', () => {});
    socket.on('close', () => this.endAll());
  }

  /** Opens a channel to whatever `token` names at the other end. */
  open(token: string): SocketChannel {
    const channel = new SocketChannel(this, this.nextId++);
    if (this.ended) {
      // The owner is gone already: the channel ends at once, as a port whose other end closed.
      queueMicrotask(() => channel.end());
      return channel;
    }
    this.channels.set(channel.id, channel);
    this.send([channel.id, OPEN, token]);
    return channel;
  }

  /** @internal */
  send(frame: Frame): void {
    if (this.ended) return;
    const text = jsonText(frame);
    if (text !== undefined) {
      const length = Buffer.byteLength(text);
      const whole = Buffer.allocUnsafe(4 + length);
      whole.writeUInt32BE(length, 0);
      whole.write(text, 4);
      this.socket.write(whole);
      return;
    }
    const body = serialize(frame);
    if (body.length <= COPY_LIMIT) {
      // One buffer, one write: cheaper than a writev of two for the small frames most are
      // (measured: a quarter more round trips a second between two processes).
      const whole = Buffer.allocUnsafe(4 + body.length);
      whole.writeUInt32BE(body.length, 0);
      body.copy(whole, 4);
      this.socket.write(whole);
      return;
    }
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(body.length, 0);
    // A large body is not copied: one writev of both, still one system call.
    this.socket.cork();
    this.socket.write(header);
    this.socket.write(body);
    this.socket.uncork();
  }

  /** @internal A channel wants the process kept alive (+1) or no longer (-1). */
  holds(delta: number): void {
    const before = this.holders;
    this.holders += delta;
    if (before === 0 && this.holders > 0) this.socket.ref();
    else if (before > 0 && this.holders === 0) this.socket.unref();
  }

  /** @internal */
  forget(id: number): void {
    this.channels.delete(id);
  }

  private receive(chunk: Buffer): void {
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = data.readUInt32BE(offset);
      if (data.length - offset - 4 < length) break;
      const frame = readFrame(data, offset + 4, offset + 4 + length) as Frame;
      offset += 4 + length;
      this.dispatch(frame);
    }
    if (offset < data.length) {
      data = data.subarray(offset);
      this.pending = Buffer.from(data); // own copy: the chunk's memory is reused by the socket
    } else this.pending = undefined;
  }

  private dispatch([id, op, payload]: Frame): void {
    if (op === OPEN) {
      const channel = new SocketChannel(this, id);
      this.channels.set(id, channel);
      this.onOpen?.(channel, payload as string);
      return;
    }
    const channel = this.channels.get(id);
    if (channel === undefined) return;
    if (op === MESSAGE) channel.emit('message', payload);
    else if (op === CLOSE) channel.end();
  }

  private endAll(): void {
    if (this.ended) return;
    this.ended = true;
    const channels = [...this.channels.values()];
    this.channels.clear();
    for (const channel of channels) channel.end();
    this.onEnd?.();
  }
}
