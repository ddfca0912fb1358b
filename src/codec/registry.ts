/**
 * The codec's registry: which classes are weft primitives served by their owner (and so
 * cross as handles), and the transports that carry descriptors. Kinds and transports
 * register themselves here (see `src/kinds.ts`); the codec knows none of them by name, so
 * a new kind or transport touches only its own files.
 * @module
 */
import type { Crossed, Destination, HandleDescriptor, HandleKind } from './descriptor.js';

/** What the codec needs of a kind served by its owner; transports read the rest of it. */
export interface ServedKindBase {
  readonly kind: HandleKind;
}

/** A way descriptors travel: how one that arrived becomes a working value. */
export interface Transport {
  /** The descriptor's `transport` field this transport reads. */
  readonly name: string;
  /** Builds the working value (a handle, or the shared primitive itself) for `descriptor`. */
  decode(descriptor: HandleDescriptor): unknown;
  /**
   * For a transport that reaches a primitive through its owner: where it carries owner-served
   * primitives to, and how one crosses there (its owner starts serving it).
   */
  readonly serves?: Destination;
  cross?(value: object, kind: ServedKindBase, to: Destination): Crossed;
}

// Keyed by prototype: a subclass (a PriorityQueue, a BoundedSemaphore) is found through its
// prototype chain, and a plain object is ruled out after one lookup.
const servedKinds = new Map<object, ServedKindBase>();
const transports = new Map<string, Transport>();
const ownerTransports = new Map<Destination, Transport>();

/** Registers `type` (and its subclasses) as a primitive served by its owner as `kind`. */
export function registerServed(
  type: abstract new (...args: never[]) => object,
  kind: ServedKindBase,
): void {
  servedKinds.set(type.prototype as object, kind);
}

/** The kind `value` is served as, or `undefined` when it is not a primitive that can cross. */
export function servedKindOf(value: object): ServedKindBase | undefined {
  let proto: object | null = Object.getPrototypeOf(value);
  while (proto !== null && proto !== Object.prototype) {
    const kind = servedKinds.get(proto);
    if (kind !== undefined) return kind;
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/** Registers a transport (replacing one of the same name). */
export function registerTransport(transport: Transport): void {
  transports.set(transport.name, transport);
  if (transport.serves !== undefined) ownerTransports.set(transport.serves, transport);
}

/** The transport a descriptor names, or a TypeError saying this side does not know it. */
export function transportOf(descriptor: HandleDescriptor): Transport {
  const transport = transports.get(descriptor.transport);
  if (transport === undefined) {
    throw new TypeError(
      `a ${descriptor.kind} arrived as a handle over the "${descriptor.transport}" transport, which this thread's weft does not know`,
    );
  }
  return transport;
}

/** How an owner-served primitive crosses to `to`: through the transport registered for it. */
export function crossServed(value: object, kind: ServedKindBase, to: Destination): Crossed {
  const transport = ownerTransports.get(to);
  if (transport?.cross === undefined) {
    throw new TypeError(
      `a ${kind.kind} cannot cross into another ${to}: no transport for it is loaded (import weft itself, not one of its modules)`,
    );
  }
  return transport.cross(value, kind, to);
}
