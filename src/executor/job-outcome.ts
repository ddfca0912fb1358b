/**
 * Settling a job with the answer its worker sent: the value (or the values of a chunk), or
 * the error — once the modules of any portable classes in it are loaded here.
 * @module
 */
import { decodeValue, decodeValues } from '../codec/codec.js';
import { whenDecodable } from '../codec/decodable.js';
import { decodeError } from '../codec/error-codec.js';
import type { Job } from './job.js';
import { CHUNK_FAILED, OK } from './protocol.js';

/** Settles `job` with `reply` (`[code, value or values, error]`), now or once its classes load. */
export function settleFromReply(job: Job, code: number, reply: unknown[]): void {
  const classes =
    code === CHUNK_FAILED
      ? whenDecodable([...(reply[1] as unknown[]), reply[2]])
      : code === OK && job.chunk
        ? whenDecodable(reply[1] as unknown[])
        : whenDecodable(reply, 1, 2);
  if (classes === undefined) settleJob(job, code, reply);
  else {
    // Instances of portable classes not loaded here yet: settle once their modules are.
    classes.then(
      () => settleJob(job, code, reply),
      (error: unknown) => job.setException(error),
    );
  }
}

/** Settles `job` (its worker is done with it) with the answer `reply` carries. */
function settleJob(job: Job, code: number, reply: unknown[]): void {
  let value: unknown;
  try {
    if (code === OK)
      value = job.chunk ? decodeValues(reply[1] as unknown[]) : decodeValue(reply[1]);
    else if (code === CHUNK_FAILED) job.partial = decodeValues(reply[1] as unknown[]);
  } catch (error) {
    // A class's own rebuilding (`fromPortable`) threw: that is the task's outcome here.
    job.setException(error);
    return;
  }
  if (code === OK) job.setResult(value);
  else job.setException(decodeError(code === CHUNK_FAILED ? reply[2] : reply[1]));
}
