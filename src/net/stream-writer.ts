/**
 * `StreamWriter` — a stream request handler's `wfile`: writes to a socket that wait while
 * the socket's buffer is full, so a handler never queues more than the socket holds for a
 * peer that does not read.
 * @module
 */
import type { Socket } from 'node:net';
import { describe } from '../core/options.js';
import { runOutsideTasks } from '../core/task-identity.js';
import { RESOLVED_VOID } from '../core/waiter.js';
import { BrokenPipeError } from '../errors.js';
import { currentTask } from '../task/spawn.js';

/**
 * Writes bytes (or strings, as UTF-8) to a connection. `await write(data)` resolves at
 * once while the socket takes more, else once it has drained; it rejects with
 * `BrokenPipeError` when the peer is gone. The first write of a pass of the event loop
 * goes out at once; the writes that follow it in that pass are corked and go out together
 * at its end, in one system call (or sooner, when one of them must wait for the socket).
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
  /**
   * Whether this writer wrote in this pass of the event loop (it is then on `writers`):
   * a request's answer goes out at its first write, with no deferral of its own, and a
   * burst of writes (a pipelining peer's lines) is corked after that first one.
   */
  private wrote = false;
  private corked = false;

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
    if (!this.wrote) {
      this.wrote = true;
      if (writers.push(this) === 1) runOutsideTasks(endPassSoon);
    } else if (!this.corked) {
      this.corked = true;
      socket.cork();
    }
    if (socket.write(data)) return RESOLVED_VOID;
    // Waiting for the socket to drain: what is corked goes now.
    this.flush();
    return this.drained();
  }

  /** @internal The pass of the event loop this writer wrote in ends: what it corked goes out. */
  endPass(): void {
    this.wrote = false;
    this.flush();
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
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

/**
 * The writers that wrote in this pass of the event loop. One immediate, shared by all the
 * connections served in the pass, ends it for them (no timer or tick per write).
 */
let writers: StreamWriter[] = [];

/** Schedules the end of the pass (called outside any task: no connection's task runs it). */
function endPassSoon(): void {
  setImmediate(endPass);
}

function endPass(): void {
  const ended = writers;
  writers = [];
  for (const writer of ended) writer.endPass();
}

function closed(): BrokenPipeError {
  return new BrokenPipeError('wfile.write: the connection is closed; the peer will not receive it');
}
