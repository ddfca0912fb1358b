/**
 * What a lease stream (lease-stream.ts) hands out and takes back: a delivery under a lease,
 * what a take found, the marks a blocked read waits past, a result stored with an
 * acknowledgement, and the mark of a stream that was shut down.
 * @module
 */

/** One entry handed to this reader under a lease. */
export interface Delivery {
  /** The stream entry id. */
  readonly id: string;
  /** The fencing token: the entry's delivery count when this reader got it. */
  readonly token: number;
  /** How many times the entry was handed to a reader, this time included (entries given back do not count). */
  readonly deliveries: number;
  /** The bytes `add` stored. */
  readonly payload: Buffer;
}

/** What {@link LeaseStream.take} found. */
export interface Taken {
  /** Deliveries, oldest entry first. */
  readonly deliveries: Delivery[];
  /** Whether the stream was shut down (gracefully: entries left are still handed out). */
  readonly shutDown: boolean;
  /** Where the stream stood, for {@link LeaseStream.waitForChange}. */
  readonly marks: StreamMarks;
}

/** The newest ids a reader saw, so a blocked read wakes on anything newer. */
export interface StreamMarks {
  readonly last: string;
  readonly wake: string;
}

/** An optional result stored in the same step as an acknowledgement (for executors). */
export interface AckResult {
  /** The key to store under (use the stream's hash tag: `${stream.prefix}:...`). */
  readonly key: string;
  readonly value: Buffer | string;
  /** How long the result lives (ms). */
  readonly ttl: number;
  /** A channel to publish the key on, or none. */
  readonly channel?: string;
}

/** What `read` returns once the stream is shut down and nothing is left for this reader. */
export const STREAM_SHUT_DOWN = Symbol('weft.redis.streamShutDown');
