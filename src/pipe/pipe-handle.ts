/**
 * A handle on a pipe end (`Connection`) that lives in another thread or process: what an
 * end passed to a Thread or a Process arrives as.
 * @module
 */

import { move } from '../codec/move.js';
import type { WaitOptions } from '../core/options.js';
import { HandleClosedError } from '../errors.js';
import { Handle } from '../remote/handle.js';
import { bytesOf, invalidMaxLength, type PipeEnd, pollOptions } from './pipe-end.js';

const NO_ARGS: readonly unknown[] = [];

/**
 * The `Connection` interface (`PipeEnd`) on an end that lives elsewhere. Each call runs
 * at the end's owner — the thread that called `Pipe()` — so a `recv` waits there, with the
 * same `{ timeout, signal }` guarantees (an aborted `recv` takes nothing). The owner must
 * stay alive while the handle is used; once it is gone, calls reject with
 * `HandleClosedError`. `closed` shows the end as of the handle's last answer.
 *
 * @example
 * ```ts
 * // in a worker, given one end of a Pipe of the main thread as an argument:
 * export const doubler = portable(import.meta.url, async (end: PipeEnd<number, number>) => {
 *   try {
 *     for (;;) await end.send(2 * (await end.recv()));
 *   } catch (err) {
 *     if (!(err instanceof EOFError)) throw err; // the main thread closed its end
 *   }
 * });
 * ```
 */
export class ConnectionHandle<S = unknown, R = unknown> extends Handle implements PipeEnd<S, R> {
  /** Whether the end was closed, as of the last answer. */
  get closed(): boolean {
    return this.link.state.closed ?? false;
  }

  /** Whether the end can receive. */
  get readable(): boolean {
    return this.link.info.readable ?? true;
  }

  /** Whether the end can send. */
  get writable(): boolean {
    return this.link.info.writable ?? true;
  }

  send(value: S): Promise<void> {
    return this.link.call('send', [value]) as Promise<void>;
  }

  /** Cuts the range here, so only those bytes cross (moved, not copied again). */
  sendBytes(buffer: ArrayBuffer | ArrayBufferView, offset?: number, size?: number): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = bytesOf(buffer, offset, size, 'Connection.sendBytes()');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.link.call('sendBytes', [move(bytes)]) as Promise<void>;
  }

  recv(opts?: WaitOptions): Promise<R> {
    return this.link.wait('recv', NO_ARGS, opts) as Promise<R>;
  }

  recvBytes(maxLength?: number, opts?: WaitOptions): Promise<Uint8Array> {
    const invalid = invalidMaxLength(maxLength, 'Connection.recvBytes()');
    if (invalid) return Promise.reject(invalid);
    return this.link.wait('recvBytes', [maxLength], opts) as Promise<Uint8Array>;
  }

  poll(timeout: number | WaitOptions = 0): Promise<boolean> {
    const opts = pollOptions(timeout, 'Connection.poll()');
    if (opts instanceof Error) return Promise.reject(opts);
    return this.link.wait('poll', NO_ARGS, opts) as Promise<boolean>;
  }

  /**
   * Closes the end, for every holder (idempotent). Resolves once the owner closed it, or
   * at once when the owner is gone (then nobody can use the end any more anyway).
   */
  close(): Promise<void> {
    return this.link.call('close', NO_ARGS).then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof HandleClosedError)) throw err;
      },
    );
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
