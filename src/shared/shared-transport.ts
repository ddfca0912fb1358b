/**
 * The `'shared'` transport: a shared-memory primitive crossing into another thread of this
 * process travels as its `SharedArrayBuffer` (which structured clone shares, never copies)
 * and arrives as the same kind of object on the same memory — no owner, no round trip.
 * Into another process it cannot go as memory: it crosses as a handle served by the
 * thread that sent it, like any primitive.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Crossed, Destination, HandleDescriptor, HandleInfo } from '../codec/descriptor.js';
import { crossServed, registerTransport, servedKindOf } from '../codec/registry.js';

/** What a shared primitive crosses into a thread as. */
export interface SharedDescriptor extends HandleDescriptor {
  readonly transport: 'shared';
  /** Names the primitive in every thread, so that each thread has one object per primitive. */
  readonly id: string;
  readonly buffer: SharedArrayBuffer;
  /** Memory of its own a primitive may carry besides its words (a queue's ring of bytes). */
  readonly extra?: SharedArrayBuffer | undefined;
}

/** Builds the primitive of one kind on memory that arrived. */
export type Reviver = (descriptor: SharedDescriptor) => object;

const revivers = new Map<string, Reviver>();

/**
 * This thread's object for each shared primitive it has seen, by id: a primitive that
 * arrives twice (in two calls, or once itself and once as a condition's lock) is one object,
 * as it is in the thread that made it. It must be: a thread's waiting tasks stand in a
 * primitive's turn list once, through that one object.
 */
const known = new Map<string, WeakRef<object>>();
const ids = new WeakMap<object, string>();
const forget = new FinalizationRegistry<string>((id) => {
  if (known.get(id)?.deref() === undefined) known.delete(id);
});

function remember(value: object, id: string): void {
  ids.set(value, id);
  known.set(id, new WeakRef(value));
  forget.register(value, id);
}

/** Registers how `kind` is rebuilt on arrival (each shared class, as its module loads). */
export function registerShared(kind: string, revive: Reviver): void {
  revivers.set(kind, revive);
}

registerTransport({
  name: 'shared',
  decode: (descriptor: HandleDescriptor) => reviveShared(descriptor as SharedDescriptor),
});

/** This thread's object for the primitive `descriptor` names: the one it has, or a new one on its memory. */
export function reviveShared(descriptor: SharedDescriptor): object {
  const seen = known.get(descriptor.id)?.deref();
  if (seen !== undefined) return seen;
  const revive = revivers.get(descriptor.kind);
  if (revive === undefined) {
    throw new TypeError(
      `a ${descriptor.kind} arrived in shared memory, but this thread's weft does not know that kind`,
    );
  }
  const value = revive(descriptor);
  remember(value, descriptor.id);
  return value;
}

/** The id `value` crosses under (made on its first crossing). */
export function sharedIdOf(value: object): string {
  let id = ids.get(value);
  if (id === undefined) {
    id = randomUUID();
    remember(value, id);
  }
  return id;
}

/**
 * How a shared primitive crosses to `to`: as its memory into a thread, as a handle served
 * by this thread into a process.
 */
export function crossShared(
  value: object,
  kind: string,
  info: HandleInfo,
  buffer: SharedArrayBuffer,
  to: Destination,
  extra?: SharedArrayBuffer,
): Crossed {
  if (to === 'process') {
    const served = servedKindOf(value);
    if (served === undefined) {
      throw new TypeError(`a ${kind} cannot cross into another process (only into threads)`);
    }
    return crossServed(value, served, to);
  }
  const descriptor: SharedDescriptor = {
    $weft: 'handle',
    kind,
    transport: 'shared',
    id: sharedIdOf(value),
    info,
    buffer,
    extra,
  };
  return { descriptor, transfer: [] };
}
