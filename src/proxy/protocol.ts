/**
 * What crosses a thread boundary in place of a weft primitive, and the messages a handle
 * and its owner exchange over a `MessagePort`.
 *
 * A primitive crosses as a *descriptor*: its kind, the transport that reaches it, and
 * what the transport needs (for `'port'`: a `MessagePort` whose other end the owner
 * serves). The receiving side picks the implementation by `transport`, so a later
 * shared-memory version (`'shared'`: a `SharedArrayBuffer` and `Atomics`, no owner round
 * trip) or a process proxy (`'socket'`) fit behind the same descriptor and the same proxy
 * interface.
 * @module
 */
import type { MessagePort, Transferable } from 'node:worker_threads';

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

/** The kinds of primitive that can cross. */
export type HandleKind =
  | 'Queue'
  | 'Lock'
  | 'RLock'
  | 'Semaphore'
  | 'Event'
  | 'Condition'
  | 'Barrier'
  | 'Exchange'
  | 'Actor'
  | 'PipeConnection'
  | 'Dict'
  | 'List'
  | 'Namespace';

/** What a primitive crosses as. Plain data plus transferables: structured clone carries it. */
export interface HandleDescriptor {
  readonly $weft: 'handle';
  readonly kind: HandleKind;
  /** How the receiving side reaches the primitive; it picks the implementation by this. */
  readonly transport: string;
  /** Facts that never change (a barrier's parties, a queue's class name), for sync getters. */
  readonly info: HandleInfo;
}

/** A descriptor whose primitive is reached through a `MessagePort` to its owner. */
export interface PortDescriptor extends HandleDescriptor {
  readonly transport: 'port';
  port: MessagePort;
}

/**
 * A descriptor whose primitive is reached through a socket its owner listens on (see
 * socket-host.ts): `token` names the primitive there. Plain data, so it crosses into
 * processes, and it can be used any number of times — a handle passed on reuses it.
 */
export interface SocketDescriptor extends HandleDescriptor {
  readonly transport: 'socket';
  readonly address: string;
  readonly token: string;
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
}

/**
 * A top-level argument that holds handles deeper inside (an array or plain object): the
 * receiving side walks only values wrapped like this, so arguments without handles cost
 * nothing to decode.
 */
export interface HandleTree {
  readonly $weft: 'tree';
  readonly value: unknown;
}

// Handle → owner.

/** First message on a connection: who is on the other end (for RLock ownership). */
export interface HelloMessage {
  readonly op: 'hello';
  /** The calling thread, unique among every thread that may reach the owner. */
  readonly thread: string;
}

/** A method call. Wait options travel as `timeout` and flags; a signal stays with the caller. */
export interface CallMessage {
  readonly op: 'call';
  readonly id: number;
  readonly method: string;
  readonly args: unknown[];
  /** The caller's task inside its thread (0: the thread itself, outside any task). */
  readonly party: number;
  readonly timeout?: number | undefined;
  /** The caller's signal was already aborted: the owner refuses the call as the primitive would. */
  readonly aborted?: boolean | undefined;
}

/** The caller gave up on call `id`: the owner withdraws it, leaving no trace, and answers `cancelled`. */
export interface CancelMessage {
  readonly op: 'cancel';
  readonly id: number;
}

/** A handle crossing on to another thread: the owner serves `port` as a new connection. */
export interface AttachMessage {
  readonly op: 'attach';
  readonly port: MessagePort;
}

export type ToOwner = HelloMessage | CallMessage | CancelMessage | AttachMessage;

// Owner → handle.

/** The outcome of call `id`. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly state?: LiveState }
  | { readonly id: number; readonly ok: false; readonly error: unknown; readonly state?: LiveState }
  | { readonly id: number; readonly cancelled: true; readonly state?: LiveState };

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
