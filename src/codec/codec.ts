/**
 * The codec: every value that crosses into another thread or process (arguments, results,
 * queue items, replies) is encoded here on the way out and decoded on the way in.
 *
 * Encoding checks each value at the call (a value that cannot cross fails there with a
 * TypeError naming it), unwraps `move()`d values into the transfer list, and replaces each
 * weft primitive — at the top level or inside arrays, objects, Maps and Sets — by a
 * descriptor, and each instance of a portable class by its class's name and its state;
 * connections to owners are opened only once every value was checked, so a refused call
 * leaves nothing behind. Decoding turns each descriptor back into a working value through
 * the transport it names, and each instance into one of its class (the receiver must have
 * the class: `whenDecodable` in decodable.ts loads what is missing first). The codec knows no kind and no
 * transport by name: they register themselves (registry.ts).
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import {
  type AnyClass,
  blankInstance,
  buildInstance,
  type ClassRef,
  classRefOf,
  fillInstance,
  findClass,
  portableClassOf,
  stateOf,
} from '../portable/portable-class.js';
import { checkCrossable, isDataClassInstance } from './crossable.js';
import {
  CROSS,
  type Crossable,
  type Crossed,
  type Destination,
  type HandleDescriptor,
  type HandleTree,
  type InstanceDescriptor,
  isDescriptor,
  isInstanceDescriptor,
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
 * cross (`${what} ${i}` of the call `where`); then no connection has been opened. With
 * `own` (the caller's own array, not kept by anyone else), `values` itself comes back when
 * none of them needs encoding (numbers, strings: the items of most maps).
 */
export function encodeValues(
  values: readonly unknown[],
  where: string,
  what = 'argument',
  to: Destination = 'thread',
  own = false,
): Encoded {
  if (own && allPrimitive(values, where, what, to)) {
    return { values: values as unknown[], transfer: [] };
  }
  const out: unknown[] = [];
  const transfer: Transferable[] = [];
  let plans: ValuePlan[] | undefined;
  let memo: PlanMemo | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || typeof value !== 'object') {
      // The common case (a number, a string) first: nothing to plan, little to check.
      if (typeof value === 'function' || typeof value === 'symbol') {
        checkCrossable(value, where, `${what} ${i}`, to); // throws, naming the value
      }
      out.push(value);
      continue;
    }
    if (isMoved(value)) {
      transfer.push(...value.transfer);
      out.push(value.value);
      continue;
    }
    const plan = planValue(value, (memo ??= new Map()), to);
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

/** Whether every value is a primitive (throws, naming it, for a function or a symbol). */
function allPrimitive(
  values: readonly unknown[],
  where: string,
  what: string,
  to: Destination,
): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && typeof value === 'object') return false;
    if (typeof value === 'function' || typeof value === 'symbol') {
      checkCrossable(value, where, `${what} ${i}`, to); // throws
    }
  }
  return true;
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
 * becomes a working value on the same primitive, an instance of a portable class an
 * instance of that class (call after `whenDecodable`). Returns `values` itself when nothing
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
 * The plan for one value that is or holds weft primitives or instances of portable classes,
 * or `undefined` when it holds none (then it crosses as it is).
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
  if (
    portableClassOf(value) === undefined &&
    (!isContainer(value) || !holdsCrossing(value, new Set()))
  ) {
    return undefined;
  }
  const copying: Copying = { memo, copies: new Map(), openers, to, classes: new Map() };
  const tree: HandleTree = {
    $weft: 'tree',
    value: copy(value, copying),
    ...(copying.classes.size > 0 && { classes: [...copying.classes.values()] }),
  };
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
 * property by property (plain objects, and instances of classes with neither methods nor
 * private members, which arrive as plain objects). Dates, buffers, errors and the like hold
 * none; instances of other classes are refused by the check, or are portable.
 */
function isContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return true;
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || isDataClassInstance(value);
}

function holdsCrossing(value: object, seen: Set<object>): boolean {
  if (seen.has(value)) return false;
  seen.add(value);
  for (const child of childrenOf(value)) {
    if (child === null || typeof child !== 'object') continue;
    if (isCrossing(child) || portableClassOf(child) !== undefined) return true;
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

/** What one `copy` carries along. */
interface Copying {
  readonly memo: PlanMemo;
  /** The copy made of each container (and instance) met so far: shared values stay shared. */
  readonly copies: Map<object, unknown>;
  readonly openers: (() => Transferable[])[];
  readonly to: Destination;
  /** The portable classes met, for the receiver to load before decoding. */
  readonly classes: Map<AnyClass, ClassRef>;
}

/**
 * A copy of the containers in `value` with a descriptor in place of each primitive and of
 * each instance of a portable class; other values shared.
 */
function copy(value: unknown, copying: Copying): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isCrossing(value)) return placeholderFor(value, copying.memo, copying.openers, copying.to);
  const known = copying.copies.get(value);
  if (known !== undefined) return known;
  const cls = portableClassOf(value);
  if (cls !== undefined) {
    let ref = copying.classes.get(cls);
    if (ref === undefined) copying.classes.set(cls, (ref = classRefOf(cls)));
    const out: InstanceDescriptor = { $weft: 'instance', class: ref, state: undefined };
    copying.copies.set(value, out);
    out.state = copy(stateOf(value), copying);
    return out;
  }
  if (!isContainer(value)) return value;
  const again = (item: unknown) => copy(item, copying);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    copying.copies.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = again(value[i]);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    copying.copies.set(value, out);
    for (const [key, item] of value) out.set(again(key), again(item));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    copying.copies.set(value, out);
    for (const item of value) out.add(again(item));
    return out;
  }
  const out: Record<string, unknown> = {};
  copying.copies.set(value, out);
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
  if (isInstanceDescriptor(value)) return rebuild(value, memo, seen);
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

/** Marks an instance whose class is building it from its state (`fromPortable`). */
const BUILDING: unique symbol = Symbol('building');

/** The instance of its portable class that `descriptor` stands for, made once per decoding. */
function rebuild(
  descriptor: InstanceDescriptor,
  memo: Map<object, unknown>,
  seen: Set<object>,
): unknown {
  const known = memo.get(descriptor);
  const [module, name] = descriptor.class;
  if (known === BUILDING) {
    throw new TypeError(
      `an instance of class ${name} holds itself in its state, which its static [fromPortable] cannot rebuild; send the state without the cycle`,
    );
  }
  if (known !== undefined) return known;
  const cls = findClass(descriptor.class);
  if (cls === undefined) {
    throw new TypeError(
      `an instance of class ${name} arrived before its module ${module} was loaded in this thread (decoding must wait for whenDecodable)`,
    );
  }
  const blank = blankInstance(cls);
  memo.set(descriptor, blank ?? BUILDING);
  const state = restore(descriptor.state, memo, seen);
  if (blank !== undefined) {
    fillInstance(blank, state);
    return blank;
  }
  const built = buildInstance(cls, state);
  memo.set(descriptor, built);
  return built;
}
