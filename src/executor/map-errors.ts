/**
 * What an `Executor.map` (executor-map.ts) says when it ends early: the results were not
 * ready in time, the executor was shut down before all of the input was submitted, or an
 * item of the input cannot cross to the workers (named by its place in the whole input).
 * @module
 */
import { encodeValues } from '../codec/codec.js';
import type { Destination } from '../codec/descriptor.js';
import { RuntimeError, TimeoutError } from '../errors.js';

/** The map `label` did not have every result within `timeout` ms. */
export function mapTimeoutError(label: string, timeout: number): TimeoutError {
  return new TimeoutError(`${label}(): the results were not all ready within ${timeout} ms`);
}

/** The executor of map `label` was shut down before all of the input was submitted. */
export function shutDownMidMapError(label: string): RuntimeError {
  return new RuntimeError(
    `${label}(): the executor was shut down before all of the input was submitted`,
  );
}

/**
 * Names the item of `items` (the chunk starting at item `first` of the input, counted
 * from 0) that cannot cross `to`; `error` (what encoding the chunk threw) when none alone
 * fails.
 */
export function itemError(
  label: string,
  items: unknown[],
  first: number,
  error: unknown,
  to: Destination,
): unknown {
  for (let i = 0; i < items.length; i++) {
    try {
      encodeValues([items[i]], '', 'item', to);
    } catch (cause) {
      const detail = (cause as Error).message.replace(/^: item 0 /, '');
      return new TypeError(`${label}(): item ${first + i} of the input ${detail}`, {
        cause,
      });
    }
  }
  return error;
}
