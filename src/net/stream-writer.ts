/**
 * `StreamWriter` — a stream request handler's `wfile`: writes to a socket that wait while
 * the socket's buffer is full, so a handler never queues more than the socket holds for a
 * peer that does not read.
 * @module
 */
import type { Socket } from 'node:net';
import { describe } from '../core/options.js';
import { RESOLVED_VOID } from '../core/waiter.js';
import { BrokenPipeError } from '../errors.js';
import { currentTask } from '../task/spawn.js';

/**
 * Writes bytes (or strings, as UTF-8) to a connection. `await write(data)` resolves at
 * once while the socket takes more, else once it has drained; it rejects with
 * `BrokenPipeError` when the peer is gone. Writes made in one turn of the event loop go
 * out together (the socket is corked until the handler waits for something else).
 *
 * @example
 * ```ts
 * const echo = async (h: StreamRequestHandler) => {
 *   for await (const line of h.rfile) await h.wfile.write(line);
 * };
 * ```
 */
export class StreamWriter {
  private readonly socket: Socket;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  /** Wraps `socket` (the server makes one per connection). */
  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Bytes the socket holds that the peer has not taken yet. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Writes `data`; resolves once the socket can take more. */
  write(data: Uint8Array | string): Promise<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError(`wfile.write(data): data must be bytes or a string, got ${describe(data)}`),
      );
    }
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return Promise.reject(closed());
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(this.uncork);
    }
    if (socket.write(data)) return RESOLVED_VOID;
    return this.drained();
  }

  private drained(): Promise<void> {
    const socket = this.socket;
    const signal = currentTask()?.signal;
    return new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onDrain = () => done();
      const onClose = () => done(closed());
      const onAbort = () => done(signal!.reason);
      socket.on('drain', onDrain);
      socket.on('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function closed(): BrokenPipeError {
  return new BrokenPipeError('wfile.write: the connection is closed; the peer will not receive it');
}
