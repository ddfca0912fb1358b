/**
 * The messages a handle and its primitive's owner exchange over an `Endpoint` (a
 * `MessagePort` between threads, a socket channel between processes).
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { HandleDescriptor, LiveState } from '../codec/descriptor.js';

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
  /** Answers (by call id) marked `confirm` that arrived since the last message: see `ConfirmMessage`. */
  readonly confirmed?: Confirmations | undefined;
}

/**
 * Answers (by call id) marked `confirm` have arrived: what they handed over (a queue item)
 * is the caller's now, and the owner forgets it. Until then, the owner gives it back if the
 * connection ends. Sent on its own only when no call carries it first (within a turn).
 */
export interface ConfirmMessage {
  readonly op: 'confirm';
  readonly ids: Confirmations;
}

/**
 * Call ids whose answers reached the caller's code whole, and `-id, count` pairs for an
 * answer that hands over several things (a batch of queue items) and reached the code
 * `count` pieces further, in the order they were taken.
 */
export type Confirmations = number[];

/**
 * Answers (by call id) marked `confirm` arrived but what they handed over was not used (a
 * queue item fetched ahead for a consumer that stopped): the owner gives it back, in
 * order, as if those calls had never been answered.
 */
export interface ReturnMessage {
  readonly op: 'return';
  readonly ids: number[];
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

export type ToOwner =
  | HelloMessage
  | CallMessage
  | CancelMessage
  | AttachMessage
  | ConfirmMessage
  | ReturnMessage;

// Owner → handle.

/** The outcome of call `id`. */
export type Reply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly value: unknown;
      readonly state?: LiveState;
      /** The answer hands something over: the handle confirms it arrived (`ConfirmMessage`). */
      readonly confirm?: true;
    }
  | { readonly id: number; readonly ok: false; readonly error: unknown; readonly state?: LiveState }
  | { readonly id: number; readonly cancelled: true; readonly state?: LiveState };
