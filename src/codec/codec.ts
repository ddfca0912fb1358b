/**
 * The codec: every value that crosses into another thread or process (arguments, results,
 * queue items, replies) is encoded here on the way out and decoded on the way in.
 *
 * Encoding checks each value at the call (a value that cannot cross fails there with a
 * TypeError naming it), unwraps `move()`d values into the transfer list, and replaces each
 * weft primitive — at the top level or inside arrays, objects, Maps and Sets — by a
 * descriptor; connections to owners are opened only once every value was checked, so a
 * refused call leaves nothing behind. Decoding turns each descriptor back into a working
 * value through the transport it names. The codec knows no kind and no transport by name:
 * they register themselves (registry.ts).
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { checkCrossable } from './crossable.js';
import {
  CROSS,
  type Crossable,
  type Crossed,
  type Destination,
  type HandleDescriptor,
  type HandleTree,
  isDescriptor,
  isTree,
} from './descriptor.js';
import { isMoved } from './move.js';
import { crossServed, servedKindOf, transportOf } from './registry.js';

/** Values ready for `postMessage`, with what to transfer. */
export interface Encoded {
  values: unknown[];
  transfer: Transferable[];
}

/**
 * Prepares `values` to cross to `to`. Throws a TypeError naming the value that cannot
 * cross (`${what} ${i}` of the call `where`); then no connection has been opened.
 */
export function encodeValues(
  values: readonly unknown[],
  where: string,
  what = 'argument',
  to: Destination = 'thread',
): Encoded {
  const out: unknown[] = [];
  const transfer: Transferable[] = [];
  let plans: ValuePlan[] | undefined;
  let memo: PlanMemo | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (isMoved(value)) {
      transfer.push(...value.transfer);
      out.push(value.value);
      continue;
    }
    const plan =
      value !== null && typeof value === 'object'
        ? planValue(value, (memo ??= new Map()), to)
        : undefined;
    checkCrossable(plan === undefined ? value : plan.value, where, `${what} ${i}`, to);
    if (plan === undefined) out.push(value);
    else {
      (plans ??= []).push(plan);
      out.push(plan.value);
    }
  }
  if (plans !== undefined) for (const plan of plans) transfer.push(...plan.open());
  return { values: out, transfer };
}

/** Prepares one value (a result) to cross; see `encodeValues`. */
export function encodeValue(
  value: unknown,
  where: string,
  to: Destination = 'thread',
): { value: unknown; transfer: Transferable[] } {
  const { values, transfer } = encodeValues([value], where, 'result', to);
  return { value: values[0], transfer };
}

/**
 * The receiving side of `encodeValues`: plain values come back as they are; a descriptor
 * becomes a working value on the same primitive. Returns `values` itself when nothing
 * needed decoding.
 */
export function decodeValues(values: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  let memo: Map<object, unknown> | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || typeof value !== 'object') continue;
    let decoded: unknown;
    if (isDescriptor(value)) decoded = decodeDescriptor(value, (memo ??= new Map()));
    else if (isTree(value)) decoded = restore(value.value, (memo ??= new Map()), new Set());
    else continue;
    out ??= values.slice();
    out[i] = decoded;
  }
  return out ?? (values as unknown[]);
}

/** The receiving side of `encodeValue`. */
export function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return decodeValues([value])[0];
}

/** One value ready to cross with the primitives it holds. */
export interface ValuePlan {
  /** What to send: a descriptor, or a tree with descriptors inside (filled in by `open`). */
  readonly value: unknown;
  /** Opens a connection per primitive (call once every value was checked); returns what to transfer. */
  open(): Transferable[];
}

/** Placeholders already made in this call, so a primitive given twice crosses once. */
export type PlanMemo = Map<object, HandleDescriptor>;

/**
 * The plan for one value that is or holds weft primitives, or `undefined` when it holds
 * none (then it crosses as it is).
 */
export function planValue(
  value: object,
  memo: PlanMemo,
  to: Destination = 'thread',
): ValuePlan | undefined {
  const openers: (() => Transferable[])[] = [];
  if (isCrossing(value)) {
    return { value: placeholderFor(value, memo, openers, to), open: () => openers[0]?.() ?? [] };
  }
  if (!isContainer(value) || !holdsCrossing(value, new Set())) return undefined;
  const tree: HandleTree = { $weft: 'tree', value: copy(value, memo, new Map(), openers, to) };
  return { value: tree, open: () => openers.flatMap((open) => open()) };
}

function isCrossing(value: object): boolean {
  return typeof (value as Crossable)[CROSS] === 'function' || servedKindOf(value) !== undefined;
}

/** The descriptor `value` crosses as; its connection is opened later, by `openers`. */
function placeholderFor(
  value: object,
  memo: PlanMemo,
  openers: (() => Transferable[])[],
  to: Destination,
): HandleDescriptor {
  const known = memo.get(value);
  if (known !== undefined) return known;
  const slot = { $weft: 'handle' } as HandleDescriptor;
  memo.set(value, slot);
  openers.push(() => {
    const crossed = crossingOf(value, to);
    Object.assign(slot, crossed.descriptor);
    return crossed.transfer;
  });
  return slot;
}

function crossingOf(value: object, to: Destination): Crossed {
  if (typeof (value as Crossable)[CROSS] === 'function') return (value as Crossable)[CROSS](to);
  return crossServed(value, servedKindOf(value)!, to);
}

/**
 * What is searched for primitives: arrays, Maps, Sets, and objects structured clone copies
 * property by property (plain objects, and class instances, which arrive as plain objects).
 * Dates, buffers, errors and the like hold none.
 */
function isContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return true;
  return Object.prototype.toString.call(value) === '[object Object]';
}

function holdsCrossing(value: object, seen: Set<object>): boolean {
  if (seen.has(value)) return false;
  seen.add(value);
  for (const child of childrenOf(value)) {
    if (child === null || typeof child !== 'object') continue;
    if (isCrossing(child)) return true;
    if (isContainer(child) && holdsCrossing(child, seen)) return true;
  }
  return false;
}

function* childrenOf(value: object): Iterable<unknown> {
  if (Array.isArray(value)) yield* value;
  else if (value instanceof Map) {
    for (const [key, item] of value) {
      yield key;
      yield item;
    }
  } else if (value instanceof Set) yield* value;
  else for (const key of Object.keys(value)) yield (value as Record<string, unknown>)[key];
}

/** A copy of the containers in `value` with a descriptor in place of each primitive; other values shared. */
function copy(
  value: unknown,
  memo: PlanMemo,
  copies: Map<object, unknown>,
  openers: (() => Transferable[])[],
  to: Destination,
): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isCrossing(value)) return placeholderFor(value, memo, openers, to);
  if (!isContainer(value)) return value;
  const known = copies.get(value);
  if (known !== undefined) return known;
  const again = (item: unknown) => copy(item, memo, copies, openers, to);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    copies.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = again(value[i]);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    copies.set(value, out);
    for (const [key, item] of value) out.set(again(key), again(item));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    copies.set(value, out);
    for (const item of value) out.add(again(item));
    return out;
  }
  const out: Record<string, unknown> = {};
  copies.set(value, out);
  for (const key of Object.keys(value)) out[key] = again((value as Record<string, unknown>)[key]);
  return out;
}

function decodeDescriptor(descriptor: HandleDescriptor, memo: Map<object, unknown>): unknown {
  const known = memo.get(descriptor);
  if (known !== undefined) return known;
  const value = transportOf(descriptor).decode(descriptor);
  memo.set(descriptor, value);
  return value;
}

/** Replaces descriptors inside a received tree, in place (it is the receiver's own copy). */
function restore(value: unknown, memo: Map<object, unknown>, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isDescriptor(value)) return decodeDescriptor(value, memo);
  if (seen.has(value) || !isContainer(value)) return value;
  seen.add(value);
  const again = (item: unknown) => restore(item, memo, seen);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = again(value[i]);
  } else if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [key, item] of entries) value.set(again(key), again(item));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const item of items) value.add(again(item));
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = again(record[key]);
  }
  return value;
}
