/**
 * How the executor core reaches its workers: a small interface with one implementation per
 * kind of worker (worker_threads here; child processes share the same core). The core owns
 * scheduling, futures, crash attribution and shutdown; a transport only starts a worker,
 * carries messages both ways and reports the worker's end.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import type { Destination } from '../codec/descriptor.js';

/** What the core hears from one worker. */
export interface WorkerEvents {
  /** A message the worker sent (see protocol.ts), in the order it was sent. */
  onMessage(message: unknown): void;
  /** A message from the worker could not be deserialized; it stands for the next reply. */
  onMessageError(error: unknown): void;
  /**
   * A worker that answers batches (`batchedReplies`) ran `tasks` tasks in `ms`: how long its
   * tasks take there, without the time its answers and its next work spent travelling.
   */
  onServiceTime?(ms: number, tasks: number): void;
  /**
   * The worker is gone, by any cause. Called once, after every message it sent before it
   * died. `cause` is the error that killed it (an uncaught error, out of memory), if any.
   */
  onExit(exitCode: number, cause: unknown): void;
}

/** One running worker, as the core drives it. */
export interface WorkerLink {
  /** Its thread id, or its process id (for the dashboard). */
  readonly id: number;
  /** Sends one message; throws (synchronously) when the message cannot be sent. */
  send(message: unknown, transfer: readonly Transferable[]): void;
  /** Stops the worker now, whatever it is doing; `onExit` follows. */
  terminate(): void;
  /** Lets the worker keep the event loop alive (it has work). */
  ref(): void;
  /** Lets the process exit while the worker lives (it is idle). */
  unref(): void;
  /**
   * How many tasks the worker has started so far, when the transport can tell even after
   * the worker died (shared memory); `undefined` otherwise. With it, a worker that dies
   * between tasks fails none of them.
   */
  started(): number | undefined;
}

/** Starts workers of one kind. */
export interface Transport {
  /** What a worker is: `'thread'`, `'process'` — in messages, and where values sent to it go. */
  readonly kind: Destination;
  /**
   * Whether a worker answers the tasks of a batch together, once it ran them all (rather
   * than each as it finishes): then the core sends a large hand-over in pieces, so that the
   * worker runs the next piece while the answers to the last one travel.
   */
  readonly batchedReplies: boolean;
  /** Starts a worker; its events go to `events`. */
  spawn(events: WorkerEvents): WorkerLink;
}
