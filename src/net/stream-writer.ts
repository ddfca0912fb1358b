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
 * `BrokenPipeError` when the peer is gone. A write goes out at once when it is the first
 * since the connection's last input (the server tells its writer) or since the writer's
 * last corked batch; the writes after it are corked and go out together at the end of
 * their pass of the event loop, in one system call (or sooner, when one of them must wait
 * for the socket).
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
   * Whether a write went out since the last input or corked batch: an answer goes out at
   * its first write, with nothing scheduled for it, and a burst of writes (a pipelining
   * peer's lines) is corked after that first one.
   */
  private wrote = false;
  /** Whether the socket is corked by this writer (the writer is then on `corkedWriters`). */
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
    if (!this.wrote) this.wrote = true;
    else if (!this.corked) {
      this.corked = true;
      socket.cork();
      if (corkedWriters.push(this) === 1) runOutsideTasks(endPassSoon);
    }
    if (socket.write(data)) return RESOLVED_VOID;
    // Waiting for the socket to drain: what is corked goes now.
    this.flush();
    return this.drained();
  }

  /** @internal Input came on the connection: the next write answers it and goes out at once. */
  inputArrived(): void {
    if (!this.corked) this.wrote = false;
  }

  /** @internal The pass of the event loop in which this writer corked ends: what it corked goes out. */
  endPass(): void {
    this.flush();
    this.wrote = false;
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
 * The writers that corked in this pass of the event loop. One immediate, shared by all
 * the connections served in the pass, flushes them at its end.
 */
let corkedWriters: StreamWriter[] = [];

/** Schedules the end of the pass (called outside any task: no connection's task runs it). */
function endPassSoon(): void {
  setImmediate(endPass);
}

function endPass(): void {
  const ended = corkedWriters;
  corkedWriters = [];
  for (const writer of ended) writer.endPass();
}

function closed(): BrokenPipeError {
  return new BrokenPipeError('wfile.write: the connection is closed; the peer will not receive it');
}
