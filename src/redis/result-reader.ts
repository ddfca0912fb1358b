/**
 * The one blocking reader of an executor client's results list: it takes outcomes in
 * batches (`BLMPOP … COUNT`) while tasks are outstanding, pauses when none are, and
 * re-issues its read after a reconnection (a blocking command that was in flight when the
 * connection dropped is not re-sent usefully).
 * @module
 */
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';

/** Outcomes taken per read, at most. */
const BATCH = 1_000;
/** Seconds one blocking read waits before it is re-issued (so a pause or a close is noticed). */
const BLOCK_SECONDS = 1;

/** @internal Reads one results list. */
export class ResultReader {
  #client: Redis | undefined;
  #running = false;
  #closed = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly key: string,
    /** Called with each batch of outcomes, as written. */
    private readonly onOutcomes: (items: Buffer[]) => void,
    /** Whether outcomes are still expected (else the reader pauses until `wake()`). */
    private readonly expecting: () => boolean,
    /** Called when the reader cannot go on (its connection could not be opened). */
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** Starts reading if it is paused. */
  wake(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#loop().catch(this.onFailure);
  }

  /** Stops reading and closes the connection. */
  close(): void {
    this.#closed = true;
    if (this.#client !== undefined) this.connection.release(this.#client);
    this.#client = undefined;
  }

  async #loop(): Promise<void> {
    try {
      this.#client ??= await this.connection.blocking();
      while (!this.#closed && this.expecting()) {
        let reply: unknown;
        try {
          reply = await this.#client.callBuffer(
            'BLMPOP',
            BLOCK_SECONDS,
            1,
            this.key,
            'LEFT',
            'COUNT',
            BATCH,
          );
        } catch (error) {
          if (this.#closed) return;
          // The connection dropped mid-read: ioredis reconnects; wait a moment and read again.
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (this.#client.status === 'end') throw error;
          continue;
        }
        if (reply !== null) this.onOutcomes((reply as [Buffer, Buffer[]])[1]);
      }
    } finally {
      this.#running = false;
    }
    // A task submitted while the last read was ending: go on.
    if (!this.#closed && this.expecting()) this.wake();
  }
}
