/**
 * Where a job of an executor is: queued, handed to a worker, or over. Its own module, so
 * the job and the worker slot that holds it each import it rather than each other.
 * @module
 */

/** Waiting in the executor's queue. */
export const QUEUED = 0;
/** Handed to a worker (the future is running). */
export const SENT = 1;
/** Finished, failed, cancelled, or dropped. */
export const OVER = 2;
