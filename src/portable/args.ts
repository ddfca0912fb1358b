/**
 * The values that cross into a worker (arguments) and back (results): checked at the call,
 * so a value that cannot cross fails there with a TypeError naming it, never later; and
 * `move()` to transfer an ArrayBuffer instead of copying it.
 * @module
 */
import { serialize } from 'node:v8';
import type { Transferable } from 'node:worker_threads';
import { describe } from '../core/options.js';
import { decodeHandles, type HandlePlan, type PlanMemo, planHandles } from '../proxy/handles.js';
import type { Destination } from '../proxy/protocol.js';

const MOVE: unique symbol = Symbol.for('weft.move');

/** A value marked by `move()`: sent by transfer, not copied. */
export interface Moved<T> {
  readonly [MOVE]: true;
  readonly value: T;
  readonly transfer: Transferable[];
}

/**
 * Marks `value` to be transferred rather than copied when it crosses into a worker or
 * back: an `ArrayBuffer`, a typed array or `DataView` (its buffer moves), or a
 * `MessagePort`. After the call the sender's copy is detached (empty), as with
 * `postMessage`'s transfer list.
 *
 * @example
 * ```ts
 * const pixels = new Uint8Array(1 << 24);
 * const future = executor.submit(blur, move(pixels)); // no 16 MB copy
 * // in the worker: return move(result) to send a buffer back the same way
 * ```
 */
export function move<T extends ArrayBuffer | ArrayBufferView | MessagePortLike>(value: T): T {
  let transfer: Transferable[];
  if (value instanceof ArrayBuffer) transfer = [value];
  else if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof ArrayBuffer)) {
      throw new TypeError(
        'move(value): a view over a SharedArrayBuffer is shared, not moved; pass it as it is',
      );
    }
    transfer = [value.buffer];
  } else if (isPort(value)) transfer = [value as unknown as Transferable];
  else {
    throw new TypeError(
      `move(value): only an ArrayBuffer, a typed array or DataView, or a MessagePort can be moved, got ${describe(value)}`,
    );
  }
  const moved: Moved<T> = { [MOVE]: true, value, transfer };
  return moved as unknown as T;
}

/** What `MessagePort`s look like to `move()`. */
export interface MessagePortLike {
  postMessage(value: unknown): void;
  close(): void;
}

function isPort(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as MessagePortLike).postMessage === 'function' &&
    typeof (value as MessagePortLike).close === 'function'
  );
}

function isMoved(value: unknown): value is Moved<unknown> {
  return value !== null && typeof value === 'object' && (value as Moved<unknown>)[MOVE] === true;
}

/** Values ready for `postMessage`, with what to transfer. */
export interface Encoded {
  values: unknown[];
  transfer: Transferable[];
}

/**
 * Prepares `args` to cross: unwraps `move()`d values into the transfer list, replaces each
 * weft primitive (a queue, lock, event, ..., or a handle on one) — at the top level or
 * inside arrays, objects, Maps and Sets — by a descriptor the receiving side turns
 * into a working handle on the same object, and checks every value can be cloned. Throws
 * a TypeError naming the argument that cannot cross (a function, a socket, a class
 * instance with private state, ...); then no handle connection has been opened.
 */
export function encodeValues(
  args: readonly unknown[],
  where: string,
  what = 'argument',
  to: Destination = 'thread',
): Encoded {
  const values: unknown[] = [];
  const transfer: Transferable[] = [];
  let plans: HandlePlan[] | undefined;
  let memo: PlanMemo | undefined;
  args.forEach((arg, i) => {
    if (isMoved(arg)) {
      transfer.push(...arg.transfer);
      values.push(arg.value);
      return;
    }
    const plan =
      arg !== null && typeof arg === 'object'
        ? planHandles(arg, (memo ??= new Map()), to)
        : undefined;
    if (plan === undefined) {
      checkCloneable(arg, where, `${what} ${i}`, to);
      values.push(arg);
      return;
    }
    checkCloneable(plan.value, where, `${what} ${i}`, to);
    (plans ??= []).push(plan);
    values.push(plan.value);
  });
  if (plans !== undefined) for (const plan of plans) transfer.push(...plan.open());
  return { values, transfer };
}

/** Prepares one value (a result) to cross back; see `encodeValues`. */
export function encodeValue(
  value: unknown,
  where: string,
  to: Destination = 'thread',
): { value: unknown; transfer: Transferable[] } {
  const { values, transfer } = encodeValues([value], where, 'result', to);
  return { value: values[0], transfer };
}

function checkCloneable(value: unknown, where: string, label: string, to: Destination): void {
  if (typeof value === 'function') {
    throw new TypeError(
      `${where}: ${label} is ${describe(value)}, which cannot cross into another thread or process; ` +
        'pass data, or a portable function by its { module, name }',
    );
  }
  if (value === null || typeof value !== 'object') return;
  try {
    // A process receives what V8 serialization carries; a thread what structured clone does.
    if (to === 'process') serialize(value);
    else structuredClone(value);
  } catch (error) {
    throw new TypeError(
      `${where}: ${label} (${describe(value)}) cannot cross into another thread or process: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The receiving side of `encodeValues`: turns what arrived back into working values. Plain
 * values come back as they are; a weft primitive that crossed as a descriptor becomes a
 * handle on the same object (a `QueueHandle`, `LockHandle`, ...). Returns `values` itself
 * when nothing needed decoding.
 */
export function decodeValues(values: readonly unknown[]): unknown[] {
  return decodeHandles(values);
}

/** The receiving side of `encodeValue`. */
export function decodeValue(value: unknown): unknown {
  return decodeHandles([value])[0];
}
