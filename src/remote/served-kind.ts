/**
 * How an owner serves a kind of primitive to handles in other threads and processes: the
 * facts a handle gets at the crossing and the methods it may call (a closed list: a handle
 * can never reach a private member). Each kind lives beside its primitive
 * (`queue/queue-remote.ts`, `sync/sync-remote.ts`, ...) and registers itself with
 * `registerRemoteKind`.
 * @module
 */
import type { HandleInfo, HandleKind, LiveState } from '../codec/descriptor.js';
import { registerServed } from '../codec/registry.js';
import type { WaitOptions } from '../core/options.js';
import type { TaskIdentity } from '../core/task-identity.js';
import { type HandleLink, registerHandleClass } from './handle.js';

/** What a method run on behalf of a handle may keep per connection (an exchange's subscribers). */
export interface ConnectionScope {
  /** Objects the handle refers to by number (subscribers it attached, subscriptions it holds). */
  readonly objects: Map<number, unknown>;
  /** Runs when the connection ends: undo what the handle left in place. */
  onClose(cleanup: () => void): void;
}

/** One method a handle may call. */
export interface MethodSpec<T> {
  /** Takes `{ timeout, signal }` after its arguments, and so may wait. */
  readonly waits: boolean;
  /** How many arguments come before the options (the options always go in that position). */
  readonly arity: number;
  run(target: T, args: unknown[], opts: WaitOptions | undefined, scope: ConnectionScope): unknown;
  /**
   * Undoes a call that ended after its handle went away (nobody will ever see the outcome):
   * a lock acquired for a party that is gone is released. Called with the value of a call
   * that succeeded, or with `withdrawn` for a wait withdrawn because the handle went away.
   */
  orphaned?(target: T, value: unknown, withdrawn: boolean): void;
  /**
   * Units (semaphore permits) a call that succeeded took (> 0) or gave back (< 0) for its
   * thread, counted so that what a thread that dies still holds can be given back.
   */
  takes?(value: unknown, args: unknown[]): number;
  /**
   * The answer hands something over (a queue item) that must not be lost on the way: the
   * owner keeps it until the handle confirms it arrived, and if the connection ends first,
   * `orphaned` gives it back. So does an answer that cannot be sent.
   */
  readonly delivers?: boolean;
  /**
   * The handle confirmed that what the answer handed over (`delivers`) reached its code:
   * a queue item fetched ahead for a consumer leaves the queue's count.
   */
  confirmed?(target: T, value: unknown): void;
}

/** Marks "nothing is held any more" for `keepDelivered`. */
export const ALL_KEPT: unique symbol = Symbol('weft.allKept');

/**
 * What the caller kept of an answer that hands something over (`value`, of `spec`): all
 * of it, or — `count` given — the first `count` pieces of an array answer (a batch of queue
 * items). Tells `spec.confirmed`, and returns what is still held, or `ALL_KEPT`.
 */
export function keepDelivered<T>(
  spec: MethodSpec<T>,
  target: T,
  value: unknown,
  count?: number,
): unknown {
  if (count === undefined) {
    spec.confirmed?.(target, value);
    return ALL_KEPT;
  }
  const pieces = value as unknown[];
  spec.confirmed?.(target, pieces.slice(0, count));
  return count >= pieces.length ? ALL_KEPT : pieces.slice(count);
}

/** A remote thread that is gone (as far as one primitive is concerned), as `giveBack` sees it. */
export interface GoneParty {
  /** Whether `identity` is one of its tasks (the holder of a lock, say). */
  owns(identity: TaskIdentity | undefined): boolean;
  /** Units its calls took and did not give back, as `MethodSpec.takes` counted them. */
  readonly taken: number;
}

/** A kind of primitive as its owner serves it. */
export interface ServedKind<T = unknown> {
  readonly kind: HandleKind;
  info(target: T): HandleInfo;
  /** State shown by the handle's synchronous getters, sent along with every reply. */
  state?(target: T): LiveState;
  readonly methods: Readonly<Record<string, MethodSpec<T>>>;
  /**
   * Gives back what a remote thread that is gone still held of `target` (a lock, permits).
   * Runs when its last connection to `target` closes: it ended, was killed, or let go of
   * every handle it had on it.
   */
  giveBack?(target: T, gone: GoneParty): void;
}

type AnyMethod = (...args: unknown[]) => unknown;

/** A method that calls `target[name]` with the arguments (and the options, for waiting methods). */
export function plain<T>(name: string, arity: number, waits = false): MethodSpec<T> {
  return {
    waits,
    arity,
    run(target, args, opts) {
      const fn = (target as Record<string, AnyMethod>)[name]!;
      if (!waits) return fn.apply(target, args);
      const full = args.slice(0, arity);
      while (full.length < arity) full.push(undefined);
      full.push(opts);
      return fn.apply(target, full);
    },
  };
}

/** A getter read as a method. */
export function getter<T>(name: string): MethodSpec<T> {
  return { waits: false, arity: 0, run: (target) => (target as Record<string, unknown>)[name] };
}

/** An acquire: a lock taken for a party that is gone is given back. */
export function acquire<T extends { release(): void }>(name = 'acquire'): MethodSpec<T> {
  return { ...plain<T>(name, 0, true), orphaned: releaseIfTaken };
}

/** The `orphaned` of an acquire: gives back what was taken for a party that is gone. */
export function releaseIfTaken(
  target: { release(): void },
  value: unknown,
  withdrawn: boolean,
): void {
  if (!withdrawn && value === true) target.release();
}

/**
 * Registers a kind both ways: instances of `type` (and its subclasses) cross as handles
 * served by `served`, and a handle of that kind arriving here is built by `HandleClass`.
 */
export function registerRemoteKind<T extends object>(
  type: abstract new (...args: never[]) => T,
  served: ServedKind<T>,
  HandleClass: new (link: HandleLink) => unknown,
): void {
  registerServed(type, served);
  registerHandleClass(served.kind, HandleClass);
}
