/**
 * What crosses a thread or process boundary in place of a weft primitive: a *descriptor*
 * — its kind, the transport that reaches it, and what that transport needs. The receiving
 * side picks the implementation by `transport` from the codec's registry, so every
 * transport (`'port'` to an owner thread, `'socket'` to an owner process, later `'shared'`
 * memory) fits behind the same descriptor.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import type { ClassRef } from '../portable/portable-class.js';

/**
 * The method by which an object crosses as a handle: returns the descriptor that reaches
 * it from elsewhere and what must be transferred with it. Handles have it (a handle passed
 * on reaches the same primitive); shared-memory primitives will have it too.
 */
export const CROSS: unique symbol = Symbol.for('weft.handle.cross');

/**
 * Where a value is going: into another thread of this process (a `MessagePort` can go
 * along), or into another process (only serializable data can: handles reach their owner
 * over a socket instead).
 */
export type Destination = 'thread' | 'process';

/** What `[CROSS]()` returns. */
export interface Crossed {
  readonly descriptor: HandleDescriptor;
  readonly transfer: Transferable[];
}

/** An object that knows how to cross as a handle. */
export interface Crossable {
  [CROSS](to: Destination): Crossed;
}

/**
 * The kind of primitive a descriptor stands for (`'Queue'`, `'Lock'`, ...): each kind
 * registers the handle class the receiving side builds for it (see registry.ts).
 */
export type HandleKind = string;

/** What a primitive crosses as. Plain data plus transferables: structured clone carries it. */
export interface HandleDescriptor {
  readonly $weft: 'handle';
  readonly kind: HandleKind;
  /** How the receiving side reaches the primitive; it picks the implementation by this. */
  readonly transport: string;
  /** Facts that never change (a barrier's parties, a queue's class name), for sync getters. */
  readonly info: HandleInfo;
}

/** What a handle knows about its primitive without asking: the class name and fixed facts. */
export interface HandleInfo {
  /** The class name on the owner's side (`PriorityQueue`, `BoundedSemaphore`, ...), for messages. */
  readonly className: string;
  readonly name?: string | undefined;
  readonly parties?: number | undefined;
  readonly bound?: number | undefined;
  /** A pipe end's directions (`Pipe(false)` makes a read-only and a write-only end). */
  readonly readable?: boolean | undefined;
  readonly writable?: boolean | undefined;
  /** Live state as of the crossing; replies keep it fresh (see `LiveState`). */
  readonly state?: LiveState | undefined;
  /** A `SharedValue`'s or `SharedArray`'s element type (`'i'`, `'float64'`, ...). */
  readonly typecode?: string | undefined;
}

/**
 * State a handle shows through synchronous getters (`queue.shutDown`, `queue.maxsize`,
 * `actor.closed`): the owner sends it along with every reply, so it is as fresh as the
 * handle's last answer.
 */
export interface LiveState {
  shutDown?: boolean;
  maxsize?: number;
  closed?: boolean;
  /** A lock's `abandoned`: it was taken away from a holder that died. */
  abandoned?: boolean;
  /** A queue's items come out in FIFO order: a consumer's handle may fetch ahead. */
  pushesAhead?: boolean;
}

/**
 * A top-level argument that holds handles deeper inside (an array or plain object): the
 * receiving side walks only values wrapped like this, so arguments without handles cost
 * nothing to decode.
 */
export interface HandleTree {
  readonly $weft: 'tree';
  readonly value: unknown;
  /** The portable classes of the instances inside, which the receiver must have loaded first. */
  readonly classes?: readonly ClassRef[];
}

/**
 * What an instance of a portable class crosses as (inside a tree): its class's module and
 * name, and its state, itself encoded. The receiver rebuilds it with that class.
 */
export interface InstanceDescriptor {
  readonly $weft: 'instance';
  readonly class: ClassRef;
  state: unknown;
}

/** Whether `value` is an instance of a portable class as it crossed. */
export function isInstanceDescriptor(value: unknown): value is InstanceDescriptor {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as InstanceDescriptor).$weft === 'instance' &&
    Array.isArray((value as InstanceDescriptor).class)
  );
}

/** Whether `value` is a handle descriptor (of any transport). */
export function isDescriptor(value: unknown): value is HandleDescriptor {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as HandleDescriptor).$weft === 'handle' &&
    typeof (value as HandleDescriptor).kind === 'string' &&
    typeof (value as HandleDescriptor).transport === 'string'
  );
}

/** Whether `value` is an argument wrapped because it holds handles deeper inside. */
export function isTree(value: unknown): value is HandleTree {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as HandleTree).$weft === 'tree' &&
    'value' in (value as object)
  );
}

/**
 * Whether any of `values` (as they arrived) is or holds a descriptor: only then is there
 * anything to decode, and must the receiving side know the kinds and transports (a worker
 * loads them, and the codec, on demand).
 */
export function holdsDescriptors(values: readonly unknown[]): boolean {
  return values.some((value) => isDescriptor(value) || isTree(value));
}
