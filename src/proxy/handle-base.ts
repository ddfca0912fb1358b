/**
 * The base of every handle, and the `Connection` interface handles are written against:
 * one implementation per transport that needs an owner round trip (a `MessagePort` now,
 * a process's IPC channel later). Kept free of other weft imports so every handle class
 * can extend it whatever order modules load in.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import {
  CROSS,
  type Crossable,
  type Crossed,
  type Destination,
  type HandleInfo,
  type HandleKind,
  type LiveState,
} from './protocol.js';

/** How a handle reaches its primitive. One implementation per transport with an owner round trip. */
export interface Connection {
  readonly kind: HandleKind;
  readonly info: HandleInfo;
  /** The live state as of the last answer from the owner. */
  readonly state: Readonly<LiveState>;
  /** Calls a method that never waits. */
  call(method: string, args: readonly unknown[]): Promise<unknown>;
  /** Calls a method that may wait, with `{ timeout, signal }` (checked here, at the call). */
  wait(method: string, args: readonly unknown[], opts: WaitOptions | undefined): Promise<unknown>;
  /** A new descriptor reaching the same primitive, for a handle passed on to another thread or process. */
  cross(to: Destination): Crossed;
  /** Lets go of the primitive: pending and later calls reject with `HandleClosedError`. */
  close(): void;
}

const CONNECTION: unique symbol = Symbol('weft.handle.connection');

/**
 * The base of every handle: a working stand-in for a primitive that lives in another
 * thread, with the primitive's interface made asynchronous. Passed on to another thread,
 * it reaches the same primitive.
 */
export abstract class Handle implements Crossable {
  /** @internal */
  readonly [CONNECTION]: Connection;

  constructor(connection: Connection) {
    this[CONNECTION] = connection;
  }

  /** @internal */
  protected get connection(): Connection {
    return this[CONNECTION];
  }

  /** @internal */
  [CROSS](to: Destination): Crossed {
    return this[CONNECTION].cross(to);
  }
}

/** Whether `value` is a handle on a primitive that lives in another thread. */
export function isHandle(value: unknown): value is Handle {
  return value instanceof Handle;
}

/**
 * Lets go of a handle: its calls still pending, and any later call, reject with
 * `HandleClosedError`, and the owner withdraws the waits it parked for it. Idempotent.
 * (A handle also lets go on its own when its thread ends.)
 */
export function disconnect(handle: Handle): void {
  if (!(handle instanceof Handle)) {
    throw new TypeError('disconnect(handle): handle must be a weft handle (see isHandle)');
  }
  handle[CONNECTION].close();
}

/** `disconnect(value)` when `value` is a handle; nothing otherwise. */
export function disconnectValue(value: unknown): void {
  if (value instanceof Handle) value[CONNECTION].close();
}
