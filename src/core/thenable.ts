/**
 * `isThenable`: whether a value is a promise or promise-like (has a callable `then`).
 * @module
 */

/** Whether `value` has a callable `then`, as `await` and `Promise.resolve` test it. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
