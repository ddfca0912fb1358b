/**
 * What the worker side of a `Thread` and the child side of a `Process` share: load the
 * target, run it on the decoded arguments, and turn what it returned or threw into an
 * outcome ready to cross back; and what an error thrown where the target cannot catch it
 * (a timer, an unhandled rejection) does — it ends the runner with that error, as an
 * uncaught exception ends a Python thread or process.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { decodeValues, encodeValue, holdsDescriptors } from '../codec/codec.js';
import type { Destination } from '../codec/descriptor.js';
import { encodeError } from '../codec/error-codec.js';
import { loadTarget } from '../portable/load.js';
import { loadTargetRef, type TargetRef } from '../portable/target-ref.js';

/** How a target ended, ready to cross back to the parent. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown; readonly transfer: Transferable[] }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs `target` on `args` (as they arrived) and returns its outcome. `label` names the
 * runner in messages (`thread Thread-3`, `process worker`); `to` is where the outcome goes.
 * `loadKinds` registers every kind and transport: called only when an argument holds a
 * handle, so a target given plain values loads none of them (start-up stays cheap).
 */
export async function runTarget(
  target: TargetRef,
  args: unknown[],
  label: string,
  to: Destination,
  loadKinds: () => Promise<unknown>,
): Promise<Outcome> {
  let value: unknown;
  try {
    const [fn] = await Promise.all([
      loadTargetRef(target, loadTarget),
      holdsDescriptors(args) ? loadKinds() : undefined,
    ]);
    value = await fn(...decodeValues(args));
  } catch (error) {
    return failed(error);
  }
  try {
    const encoded = encodeValue(value, `${label}: the target's return value`, to);
    return { ok: true, value: encoded.value, transfer: encoded.transfer };
  } catch (error) {
    return failed(error);
  }
}

/** The outcome of a target that threw `error`. */
export function failed(error: unknown): Outcome {
  return { ok: false, error: encodeError(error) };
}

/**
 * Ends the runner with any error thrown where the target cannot catch it: `end` gets the
 * failed outcome while the target runs; once it has ended, the error is printed, as Python
 * prints an exception raised after a thread's target returned.
 */
export function endOnUncaught(
  label: () => string,
  ended: () => boolean,
  end: (outcome: Outcome) => void,
): void {
  process.on('uncaughtException', (error) => {
    if (ended()) {
      console.error(`Exception in ${label()} after its target ended:`, error);
      return;
    }
    end(failed(error));
  });
}
