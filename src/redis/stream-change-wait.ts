/**
 * The blocked wait of a lease-stream reader (lease-stream.ts): on a connection of its own,
 * waits until the stream may have changed past the marks a take saw (a new entry, an entry
 * given back, a shutdown), at most one sweep interval at a time, and drops that connection
 * when the wait is aborted. It takes nothing, so dropping it loses nothing.
 * @module
 */
import type { Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';
import type { RedisConnection } from './connection.js';
import type { StreamMarks } from './lease-stream-types.js';

/** The error of a lease-stream reader used after its `close()`. */
export function closedError(prefix: string): RedisUnavailableError {
  return new RedisUnavailableError(`${prefix}: this reader was closed by close()`);
}

/** One reader's blocked wait for a change in its stream; one wait at a time. */
export class StreamChangeWait {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #stream: string;
  readonly #wake: string;
  readonly #sweepEvery: number;
  #blocking: Promise<Redis> | undefined;
  #waiting = false;
  #closed = false;

  /**
   * `stream` and `wake` are the stream's entry and wake keys; a wait lasts at most
   * `sweepEvery` ms, so the reader looks again for leases that ran out.
   */
  constructor(
    connection: RedisConnection,
    prefix: string,
    keys: { readonly stream: string; readonly wake: string; readonly sweepEvery: number },
  ) {
    this.#connection = connection;
    this.#prefix = prefix;
    this.#stream = keys.stream;
    this.#wake = keys.wake;
    this.#sweepEvery = keys.sweepEvery;
  }

  /** See {@link LeaseStream.waitForChange}. */
  async wait(marks: StreamMarks, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#waiting) throw new Error('LeaseStream: one blocking wait at a time per reader');
    if (signal?.aborted) throw signal.reason;
    this.#waiting = true;
    const blocking = (this.#blocking ??= this.#connection.blocking());
    let onAbort: (() => void) | undefined;
    try {
      const client = await blocking;
      const block = Math.max(1, Math.ceil(Math.min(ms, this.#sweepEvery)));
      const read = client.xread(
        'COUNT',
        1,
        'BLOCK',
        block,
        'STREAMS',
        this.#stream,
        this.#wake,
        marks.last,
        marks.wake,
      );
      if (signal === undefined) {
        await read;
        return;
      }
      await new Promise<void>((resolve, reject) => {
        onAbort = () => {
          // The read takes nothing, so dropping its connection loses nothing.
          this.#dropBlocking(client);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        read.then(() => resolve(), reject);
      });
    } catch (error) {
      if (this.#closed) throw closedError(this.#prefix);
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      this.#waiting = false;
    }
  }

  /** Ends any wait (it rejects with the closed error) and releases the blocking connection. */
  close(): void {
    this.#closed = true;
    const blocking = this.#blocking;
    this.#blocking = undefined;
    if (blocking !== undefined) blocking.then((client) => this.#connection.release(client), ignore);
  }

  #dropBlocking(client: Redis): void {
    this.#blocking = undefined;
    this.#connection.release(client);
  }
}

function ignore(): void {}
