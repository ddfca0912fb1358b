/**
 * The `'shared'` transport: a shared-memory primitive crossing into another thread of this
 * process travels as its `SharedArrayBuffer` (which structured clone shares, never copies)
 * and arrives as the same kind of object on the same memory — no owner, no round trip.
 * Into another process it cannot go as memory: it crosses as a handle served by the
 * thread that sent it, like any primitive.
 * @module
 */
import type { Crossed, Destination, HandleDescriptor, HandleInfo } from '../codec/descriptor.js';
import { crossServed, registerTransport, servedKindOf } from '../codec/registry.js';

/** What a shared primitive crosses into a thread as. */
export interface SharedDescriptor extends HandleDescriptor {
  readonly transport: 'shared';
  readonly buffer: SharedArrayBuffer;
  /** Memory of its own a primitive may carry besides its words (a queue's ring of bytes). */
  readonly extra?: SharedArrayBuffer | undefined;
}

/** Builds the primitive of one kind on memory that arrived. */
export type Reviver = (descriptor: SharedDescriptor) => object;

const revivers = new Map<string, Reviver>();

/** Registers how `kind` is rebuilt on arrival (each shared class, as its module loads). */
export function registerShared(kind: string, revive: Reviver): void {
  revivers.set(kind, revive);
}

registerTransport({
  name: 'shared',
  decode(descriptor: HandleDescriptor) {
    const revive = revivers.get(descriptor.kind);
    if (revive === undefined) {
      throw new TypeError(
        `a ${descriptor.kind} arrived in shared memory, but this thread's weft does not know that kind`,
      );
    }
    return revive(descriptor as SharedDescriptor);
  },
});

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
    info,
    buffer,
    extra,
  };
  return { descriptor, transfer: [] };
}
