/**
 * What the worker side of a `Thread` and the child side of a `Process` share: load the
 * target, run it on the decoded arguments, and turn what it returned or threw into an
 * outcome ready to cross back; and what an error thrown where the target cannot catch it
 * (a timer, an unhandled rejection) does — it ends the runner with that error, as an
 * uncaught exception ends a Python thread or process.
 *
 * Start-up stays cheap: the codec is loaded only when an argument holds a handle or the
 * result is not a plain primitive, the error codec only when the target failed, so a target
 * given and returning plain values loads neither.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import type { Destination } from '../codec/descriptor.js';
import { loadTargetRef } from '../portable/load.js';
import type { TargetRef } from '../portable/target-ref.js';

/** How a target ended, ready to cross back to the parent. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown; readonly transfer: Transferable[] }
  | { readonly ok: false; readonly error: unknown };

/** Names the runner in messages (`thread Thread-3`, `process worker`), as it is named now. */
export type Label = () => Promise<string>;

const NOTHING: Transferable[] = [];

/**
 * Runs `target` on `args` (as they arrived) and returns its outcome; `to` is where the
 * outcome goes. `loadKinds` registers every kind and transport: called only when an
 * argument holds a handle, so a target given plain values loads none of them.
 */
export async function runTarget(
  target: TargetRef,
  args: unknown[],
  label: Label,
  to: Destination,
  loadKinds: () => Promise<unknown>,
): Promise<Outcome> {
  let value: unknown;
  try {
    const handles = await holdDescriptors(args);
    const [fn] = await Promise.all([loadTargetRef(target), handles ? loadKinds() : undefined]);
    // After the target: a portable class its own module defines is then found at once.
    value = await fn(...(handles ? await decodeArgs(args) : args));
  } catch (error) {
    return failed(error);
  }
  if (crossesAsItIs(value)) return { ok: true, value, transfer: NOTHING };
  try {
    const { encodeValue } = await loadCodec();
    const encoded = encodeValue(value, `${await label()}: the target's return value`, to);
    return { ok: true, value: encoded.value, transfer: encoded.transfer };
  } catch (error) {
    return failed(error);
  }
}

/** The outcome of a target that threw `error`. */
export async function failed(error: unknown): Promise<Outcome> {
  const { encodeError } = await import('../codec/error-codec.js');
  return { ok: false, error: encodeError(error) };
}

/**
 * Ends the runner with any error thrown where the target cannot catch it: `end` gets the
 * failed outcome while the target runs; once it has ended, the error is printed, as Python
 * prints an exception raised after a thread's target returned.
 */
export function endOnUncaught(
  label: Label,
  ended: () => boolean,
  end: (outcome: Outcome) => void,
): void {
  process.on('uncaughtException', (error) => {
    if (ended()) {
      void label().then((name) =>
        console.error(`Exception in ${name} after its target ended:`, error),
      );
      return;
    }
    void failed(error).then(end);
  });
}

/** Where core/target-end.ts keeps its hooks (the same `Symbol.for` key). */
const TARGET_END_HOOKS = Symbol.for('weft.target-end');

/**
 * Runs what modules loaded here registered to happen once the target has ended
 * (core/target-end.ts); none loaded, nothing to run and nothing loaded for it.
 */
export function runTargetEndHooks(): void {
  const hooks = (globalThis as { [TARGET_END_HOOKS]?: (() => void)[] })[TARGET_END_HOOKS];
  for (const hook of hooks ?? []) hook();
}

/** Whether an argument is or holds a handle (only an object can: the check loads only then). */
async function holdDescriptors(args: unknown[]): Promise<boolean> {
  if (!args.some((arg) => arg !== null && typeof arg === 'object')) return false;
  const { holdsDescriptors } = await import('../codec/descriptor.js');
  return holdsDescriptors(args);
}

/** A value the codec would let through unchanged: no need to load it. */
function crossesAsItIs(value: unknown): boolean {
  return (
    value === null ||
    (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
  );
}

/** Decodes arguments that hold handles or instances of portable classes (loading those classes first). */
async function decodeArgs(args: unknown[]): Promise<unknown[]> {
  const [{ decodeValues }, { whenDecodable }] = await Promise.all([
    loadCodec(),
    import('../codec/decodable.js'),
  ]);
  await whenDecodable(args);
  return decodeValues(args);
}

function loadCodec(): Promise<typeof import('../codec/codec.js')> {
  return import('../codec/codec.js');
}
