/**
 * The messages between an executor and its workers, the same over every transport.
 *
 * To a worker: first one `InitMessage`, then task batches. A batch is one flat array, so a
 * hundred tasks cost one message and no object per task:
 *
 *     [nDefs, module_0, name_0, source_0, ..., module_{nDefs-1}, name_{nDefs-1}, source_{nDefs-1},
 *      key, n, arg_1, ..., arg_n,            // a call: fn(arg_1, ..., arg_n)
 *      key, -n, [item_1, ..., item_n], ...]  // a chunk of map: fn(item_i) for each item
 *
 * A chunk's items travel as the array the map made of them (no copy into the batch). Each
 * array sent is made by appending (never sized first, nor one received): V8 serializes an
 * array with holes, as far as it knows, element by element, several times slower.
 *
 * `key` indexes the targets the worker was told about, in the order of their definitions
 * (each batch first defines the targets the worker has not seen yet).
 *
 * From a worker: one message per finished task, `[code, payload]` (or `[CHUNK_FAILED,
 * values, error]`), posted the moment the task settles and in the order the tasks were
 * sent. Posting each result at once (never holding results back for a batch) is what makes
 * crash attribution exact: when a worker dies, every task that finished before has been
 * reported, so the oldest unreported task is the one it was running.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import type { TargetDefinition } from './targets.js';

/** A task finished: `[OK, value]` (a chunk's value is the array of its items' results). */
export const OK = 0;
/** A task threw: `[FAILED, encodedError]`. */
export const FAILED = 1;
/** An item of a chunk threw: `[CHUNK_FAILED, resultsBeforeIt, encodedError]`. */
export const CHUNK_FAILED = 2;
/** The worker ran its initializer (if any) and takes tasks: `[READY]`. */
export const READY = 8;
/** The initializer threw: `[INIT_FAILED, encodedError]`; the worker takes no tasks. */
export const INIT_FAILED = 9;

/** A worker's answer, as the executor receives it. */
export type WorkerReply = [code: number, payload?: unknown, error?: unknown];

/** The first message a worker receives. */
export interface InitMessage {
  readonly init: true;
  /** Runs once in the worker before any task (the executor's `initializer`). */
  readonly initializer: TargetDefinition | null;
  readonly initArgs: unknown[];
}

/** Whether a message to a worker is its `InitMessage`. */
export function isInitMessage(message: unknown): message is InitMessage {
  return message !== null && typeof message === 'object' && (message as InitMessage).init === true;
}

/**
 * Whether a transferable is an ArrayBuffer detached by an earlier transfer. Node silently
 * drops a message whose transfer list holds one, which would leave answers matched to the
 * wrong tasks; both sides check before they post.
 */
export function isDetached(value: Transferable): boolean {
  if (!(value instanceof ArrayBuffer) || value.byteLength !== 0) return false;
  try {
    new Uint8Array(value, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** The error for a message that would transfer a detached buffer. */
export function detachedError(): TypeError {
  return new TypeError(
    'an ArrayBuffer given with move() is detached: it was moved away already (to another task, or to a worker that was stopped before running this task)',
  );
}
