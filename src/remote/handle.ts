/**
 * The base of every handle, the `HandleLink` interface handles are written against (one
 * implementation reaches an owner in another thread or process, `RemoteLink`; one a
 * primitive in this very thread, `LocalLink`), and the table of handle classes by kind.
 * Kept free of other weft imports but the codec's types, so every handle class can extend
 * it whatever order modules load in.
 * @module
 */

import {
  CROSS,
  type Crossed,
  type Destination,
  type HandleInfo,
  type HandleKind,
  type LiveState,
} from '../codec/descriptor.js';
import type { WaitOptions } from '../core/options.js';

/** How a handle reaches its primitive. */
export interface HandleLink {
  readonly kind: HandleKind;
  readonly info: HandleInfo;
  /** Whether the handle let go of the primitive, or lost it (`close`, its owner gone). */
  readonly closed: boolean;
  /** The primitive lives in this very thread (a call costs no round trip: nothing to save). */
  readonly local?: boolean;
  /** The live state as of the last answer from the owner. */
  readonly state: Readonly<LiveState>;
  /** Calls a method that never waits. */
  call(method: string, args: readonly unknown[]): Promise<unknown>;
  /**
   * Calls a method whose caller does not wait for the answer (a put under a credit): throws
   * here, with nothing sent, when the handle is closed or an argument cannot cross.
   */
  callAhead(method: string, args: readonly unknown[]): Promise<unknown>;
  /** Calls a method that may wait, with `{ timeout, signal }` (checked here, at the call). */
  wait(method: string, args: readonly unknown[], opts: WaitOptions | undefined): Promise<unknown>;
  /**
   * Calls a waiting method whose answer hands something over (a queue item) on behalf of
   * this whole thread, with no timeout, withdrawn when `signal` aborts. The answer is not
   * confirmed to the owner: the caller `keep`s it once its code has it, or `giveBack`s it.
   */
  waitHeld(method: string, args: readonly unknown[], signal: AbortSignal): Promise<HeldAnswer>;
  /**
   * Calls a method that never waits and hands something over (`getNowait`), on behalf of
   * this whole thread, its answer held as `waitHeld`'s is: the caller keeps it or gives it back.
   */
  callHeld(method: string, args: readonly unknown[]): Promise<HeldAnswer>;
  /** Calls a method that never waits on behalf of this whole thread (no task's identity). */
  callForThread(method: string, args: readonly unknown[]): Promise<unknown>;
  /**
   * Calls a waiting method on behalf of this whole thread, with no timeout, withdrawn when
   * `signal` aborts; `keepsAlive` false: it does not keep the thread alive while it waits.
   */
  waitForThread(
    method: string,
    args: readonly unknown[],
    signal: AbortSignal,
    keepsAlive: boolean,
  ): Promise<unknown>;
  /**
   * What answer `receipt` handed over reached the caller's code: the owner forgets it. For
   * an answer handing over an array, `count` pieces of it at a time (in order).
   */
  keep(receipt: number, count?: number): void;
  /** What these answers handed over was not used (what is left of each): the owner takes it back, in this order. */
  giveBack(receipts: readonly number[]): void;
  /** A new descriptor reaching the same primitive, for a handle passed on to another thread or process. */
  cross(to: Destination): Crossed;
  /** Lets go of the primitive: pending and later calls reject with `HandleClosedError`. */
  close(): void;
}

/** The answer of `HandleLink.waitHeld`: what it handed over, and the receipt to keep or give back. */
export interface HeldAnswer {
  readonly value: unknown;
  readonly receipt: number;
}

const LINK: unique symbol = Symbol('weft.handle.link');

/**
 * The base of every handle: a working stand-in for a primitive that lives in another
 * thread, with the primitive's interface made asynchronous. Passed on to another thread,
 * it reaches the same primitive.
 */
// (It is Crossable too, through a member kept out of the published types.)
export abstract class Handle {
  /** @internal */
  readonly [LINK]: HandleLink;

  /** @internal Handles are made by weft when a primitive crosses, never by `new`. */
  constructor(link: HandleLink) {
    this[LINK] = link;
  }

  /** @internal */
  protected get link(): HandleLink {
    return this[LINK];
  }

  /** @internal */
  [CROSS](to: Destination): Crossed {
    return this[LINK].cross(to);
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
  handle[LINK].close();
}

/** `disconnect(value)` when `value` is a handle; nothing otherwise. */
export function disconnectValue(value: unknown): void {
  if (value instanceof Handle) value[LINK].close();
}

const handleClasses = new Map<HandleKind, new (link: HandleLink) => unknown>();

/** Registers the handle class built for a link to a primitive of `kind`. */
export function registerHandleClass(
  kind: HandleKind,
  HandleClass: new (link: HandleLink) => unknown,
): void {
  handleClasses.set(kind, HandleClass);
}

/** The handle for `link`, of the class registered for its kind. */
export function handleOn(link: HandleLink): unknown {
  const HandleClass = handleClasses.get(link.kind);
  if (HandleClass === undefined) {
    link.close();
    throw new TypeError(
      `a ${link.info.className} arrived as a handle of kind "${link.kind}", which this thread's weft does not know`,
    );
  }
  return new HandleClass(link);
}
