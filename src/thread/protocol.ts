/**
 * What a `Thread` and its worker say to each other. Messages carry a tag so that what the
 * user's own code posts on `parentPort` is never mistaken for them.
 * @module
 */
import type { TargetRef } from '../portable/target-ref.js';

/**
 * Where a thread's registry keeps its state on `globalThis` (registry.ts); set once
 * anything in the thread used the registry.
 */
export const REGISTRY_STATE: unique symbol = Symbol.for('weft.thread.registry');

/** The key of a weft thread's boot record in `workerData`. */
export const BOOT = '$weftThread';

/** What a started thread finds in `workerData[BOOT]`. */
export interface ThreadBoot {
  /** The process-wide thread table (see thread-table.ts). */
  readonly table: SharedArrayBuffer;
  readonly slot: number;
  readonly gen: number;
  readonly name: string;
  readonly daemon: boolean;
}

/** Parent → thread: run this. */
export interface RunMessage {
  readonly $weftThread: 'run';
  readonly target: TargetRef;
  readonly args: unknown[];
  /** Who the thread is, for a spare booted before it had a name (warm start). */
  readonly boot?: ThreadBoot;
}

/** Thread → parent: the target's outcome (sent once, before the thread ends). */
export type DoneMessage =
  | { readonly $weftThread: 'done'; readonly ok: true; readonly value: unknown }
  | { readonly $weftThread: 'done'; readonly ok: false; readonly error: unknown };

/**
 * Thread → parent: threads started inside this one must (or no longer need to) keep the
 * process alive, so a daemon thread's parent should ref (unref) its worker.
 */
export interface HoldMessage {
  readonly $weftThread: 'hold';
  readonly on: boolean;
}

/** Parent → spare thread (warm start): say when booted; the spare answers `ready`. */
export const HELLO = { $weftThread: 'hello' } as const;
/** Spare thread → parent: its entry is loaded, it waits for a target. */
export const READY = { $weftThread: 'ready' } as const;

export type ToParent = DoneMessage | HoldMessage | typeof READY;

/** The tag of `message` when it is one of weft's thread messages. */
export function threadMessageKind(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const kind = (message as { $weftThread?: unknown }).$weftThread;
  return typeof kind === 'string' ? kind : undefined;
}
