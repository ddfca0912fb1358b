/**
 * What a `Process` and its child say to each other over the IPC channel (V8 serialization).
 * Messages carry a tag so that what the user's own code sends with `process.send` is never
 * mistaken for them.
 * @module
 */
import type { TargetRef } from '../portable/target-ref.js';

/** Parent → child, first message: who the child is and what to run. */
export interface RunMessage {
  readonly $weftProcess: 'run';
  readonly target: TargetRef;
  readonly args: unknown[];
  readonly name: string;
  readonly daemon: boolean;
  /** The parent, for `parentProcess()` in the child. */
  readonly parent: { readonly pid: number; readonly name: string };
}

/** Child → parent: the target's outcome (sent once, before the child exits). */
export type DoneMessage =
  | { readonly $weftProcess: 'done'; readonly ok: true; readonly value: unknown }
  | { readonly $weftProcess: 'done'; readonly ok: false; readonly error: unknown };

/**
 * Child → parent, its last message: it ends by SIGKILL (child-exit.ts), which stands for
 * this exit code — the parent reports `code`, unless the parent itself sent the SIGKILL.
 */
export interface ExitingMessage {
  readonly $weftProcess: 'exiting';
  readonly code: number;
}

/** Parent → spare process (warm start): say when booted; the spare answers `ready`. */
export const HELLO = { $weftProcess: 'hello' } as const;
/** Spare process → parent: its entry is loaded, it waits for a target. */
export const READY = { $weftProcess: 'ready' } as const;

/** The tag of `message` when it is one of weft's process messages. */
export function processMessageKind(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const kind = (message as { $weftProcess?: unknown }).$weftProcess;
  return typeof kind === 'string' ? kind : undefined;
}

/**
 * Set in a child's environment: it was started by weft, and how it ends when its parent
 * dies while it is too busy to notice (see reaper.ts and orphan-guard.ts).
 */
export const CHILD_ENV = 'WEFT_PROCESS_CHILD';

/** The value of `CHILD_ENV`: the parent's reaper kills the child, or the child watches itself. */
export type ParentWatch = 'reaper' | 'self';

/** The code a child announced it ends with by SIGKILL, when `message` is that announcement. */
export function exitingCode(message: unknown): number | undefined {
  if (processMessageKind(message) !== 'exiting') return undefined;
  const code = (message as ExitingMessage).code;
  return Number.isInteger(code) ? code : undefined;
}
