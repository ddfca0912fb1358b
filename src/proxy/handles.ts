/**
 * Finding weft primitives among the values that cross into another thread, and turning
 * what arrives back into working handles.
 *
 * Sending side: a primitive (or a handle, passed on) at the top level of an argument, or
 * inside arrays, objects, Maps and Sets, is replaced by a descriptor; the
 * connections are opened only once every argument was checked, so a refused call leaves
 * nothing behind. Receiving side: each descriptor becomes a handle, picked by its
 * transport — `'port'` now; a shared-memory or process transport registers its own.
 * @module
 */
import { MessageChannel, type Transferable } from 'node:worker_threads';
import { SharedDict } from '../manager/shared-dict.js';
import { SharedList } from '../manager/shared-list.js';
import { SharedNamespace } from '../manager/shared-namespace.js';
import { ConnectionHandle } from '../pipe/pipe-handle.js';
import { ActorHandle, ExchangeHandle } from './actor-handles.js';
import { connectPort, connectSocket } from './connection.js';
import type { Connection, Handle } from './handle-base.js';
import { ownerKindOf } from './owner-kinds.js';
import {
  CROSS,
  type Crossable,
  type Crossed,
  type Destination,
  type HandleDescriptor,
  type HandleTree,
  isDescriptor,
  isTree,
  type PortDescriptor,
  type SocketDescriptor,
} from './protocol.js';
import { QueueHandle } from './queue-handle.js';
import { serve } from './server.js';
import { tokenFor } from './socket-host.js';
import {
  BarrierHandle,
  ConditionHandle,
  EventHandle,
  LockHandle,
  SemaphoreHandle,
} from './sync-handles.js';

/** Builds the receiving side of a descriptor of one transport. */
export type TransportDecoder = (descriptor: HandleDescriptor) => unknown;

const transports = new Map<string, TransportDecoder>([
  ['port', (descriptor) => handleOn(connectPort(descriptor as PortDescriptor))],
  ['socket', (descriptor) => handleOn(connectSocket(descriptor as SocketDescriptor))],
]);

/** Teaches the receiving side a transport (shared memory, a process channel). */
export function registerTransport(name: string, decode: TransportDecoder): void {
  transports.set(name, decode);
}

/** The handle class for a connection's kind. */
export function handleOn(connection: Connection): Handle {
  switch (connection.kind) {
    case 'Queue':
      return new QueueHandle(connection);
    case 'Lock':
    case 'RLock':
      return new LockHandle(connection);
    case 'Semaphore':
      return new SemaphoreHandle(connection);
    case 'Event':
      return new EventHandle(connection);
    case 'Condition':
      return new ConditionHandle(connection);
    case 'Barrier':
      return new BarrierHandle(connection);
    case 'Actor':
      return new ActorHandle(connection);
    case 'Exchange':
      return new ExchangeHandle(connection);
    case 'Dict':
      return new SharedDict(connection);
    case 'List':
      return new SharedList(connection);
    case 'Namespace':
      return new SharedNamespace(connection);
    case 'PipeConnection':
      return new ConnectionHandle(connection);
  }
}

/** One argument ready to cross with the handles it holds. */
export interface HandlePlan {
  /** What to send: a descriptor, or a tree with descriptors inside (filled in by `open`). */
  readonly value: unknown;
  /** Opens a connection per handle (call once every argument was checked); returns what to transfer. */
  open(): Transferable[];
}

/** Placeholders already made in this call, so a primitive given twice crosses once. */
export type PlanMemo = Map<object, HandleDescriptor>;

/**
 * The plan for one value that holds primitives or handles, or `undefined` when it holds
 * none (then it crosses as it is).
 */
export function planHandles(
  value: unknown,
  memo: PlanMemo,
  to: Destination = 'thread',
): HandlePlan | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const openers: (() => Transferable[])[] = [];
  if (isCrossing(value)) {
    return { value: placeholderFor(value, memo, openers, to), open: () => openers[0]?.() ?? [] };
  }
  if (!isContainer(value) || !holdsHandle(value, new Set())) return undefined;
  const tree: HandleTree = { $weft: 'tree', value: copy(value, memo, new Map(), openers, to) };
  return { value: tree, open: () => openers.flatMap((open) => open()) };
}

function isCrossing(value: object): boolean {
  return typeof (value as Crossable)[CROSS] === 'function' || ownerKindOf(value) !== undefined;
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
  const kind = ownerKindOf(value)!;
  if (to === 'process') {
    const { address, token } = tokenFor(value, (channel) => serve(value, kind, channel));
    const descriptor: SocketDescriptor = {
      $weft: 'handle',
      kind: kind.kind,
      transport: 'socket',
      info: kind.info(value),
      address,
      token,
    };
    return { descriptor, transfer: [] };
  }
  const { port1, port2 } = new MessageChannel();
  serve(value, kind, port1);
  const descriptor: PortDescriptor = {
    $weft: 'handle',
    kind: kind.kind,
    transport: 'port',
    info: kind.info(value),
    port: port2,
  };
  return { descriptor, transfer: [port2] };
}

/**
 * What is searched for handles: arrays, Maps, Sets, and objects structured clone copies
 * property by property (plain objects, and class instances, which arrive as plain objects).
 * Dates, buffers, errors and the like hold no handles.
 */
function isContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return true;
  return Object.prototype.toString.call(value) === '[object Object]';
}

function holdsHandle(value: object, seen: Set<object>): boolean {
  if (seen.has(value)) return false;
  seen.add(value);
  for (const child of childrenOf(value)) {
    if (child === null || typeof child !== 'object') continue;
    if (isCrossing(child)) return true;
    if (isContainer(child) && holdsHandle(child, seen)) return true;
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

/**
 * What arrived, with a working handle in place of each descriptor. Returns `values` itself
 * when it holds none.
 */
export function decodeHandles(values: readonly unknown[]): unknown[] {
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

function decodeDescriptor(descriptor: HandleDescriptor, memo: Map<object, unknown>): unknown {
  const known = memo.get(descriptor);
  if (known !== undefined) return known;
  const decode = transports.get(descriptor.transport);
  if (decode === undefined) {
    throw new TypeError(
      `a ${descriptor.kind} arrived as a handle over the "${descriptor.transport}" transport, which this thread's weft does not know`,
    );
  }
  const handle = decode(descriptor);
  memo.set(descriptor, handle);
  return handle;
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
