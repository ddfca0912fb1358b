/**
 * `retries` and `backoff` of a Redis task, turned into the delay before each retry. A
 * `backoff` function is called here, at the submit, for every retry: a worker cannot call the
 * submitter's function, and the delays then travel with the task.
 * @module
 */
import { describe } from '../core/options.js';

/** The most retries a task may have. */
const MOST_RETRIES = 1_000;

/** The delay (ms) before each retry: as many as `retries`. Throws for bad values, naming them. */
export function retryDelays(retries: unknown, backoff: unknown, where: string): number[] {
  if (retries === undefined || retries === 0) {
    if (backoff !== undefined && typeof backoff !== 'number' && typeof backoff !== 'function') {
      throw new TypeError(
        `${where}: backoff must be a number of ms or a function of the attempt, got ${describe(backoff)}`,
      );
    }
    return [];
  }
  if (
    typeof retries !== 'number' ||
    !Number.isInteger(retries) ||
    retries < 0 ||
    retries > MOST_RETRIES
  ) {
    throw new RangeError(
      `${where}: retries must be an integer from 0 to ${MOST_RETRIES}, got ${describe(retries)}`,
    );
  }
  const delays: number[] = [];
  for (let attempt = 1; attempt <= retries; attempt++) {
    let delay: unknown;
    if (backoff === undefined) delay = 0;
    else if (typeof backoff === 'number') delay = backoff;
    else if (typeof backoff === 'function')
      delay = (backoff as (attempt: number) => unknown)(attempt);
    else {
      throw new TypeError(
        `${where}: backoff must be a number of ms or a function of the attempt, got ${describe(backoff)}`,
      );
    }
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
      throw new RangeError(
        `${where}: backoff must give a finite number of ms >= 0, got ${describe(delay)}${typeof backoff === 'function' ? ` for retry ${attempt}` : ''}`,
      );
    }
    delays.push(Math.round(delay));
  }
  return delays;
}
