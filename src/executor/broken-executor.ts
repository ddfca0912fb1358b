/**
 * The executor's own errors: a pool that can no longer run anything, and the error of a
 * task whose worker died under it.
 * @module
 */
import { constants } from 'node:os';
import { RuntimeError, WorkerCrashedError } from '../errors.js';

/**
 * The executor cannot run tasks any more, as Python's `BrokenExecutor`: a worker's
 * initializer threw, or five workers in a row died while starting (or while running the
 * initializer) — one death while starting is a crash like any other, and the worker is
 * replaced. Every task it still held fails with this error (its `cause` is the
 * initializer's error, or the last crash), and later submits throw it.
 */
export class BrokenExecutor extends RuntimeError {}

/** How many workers in a row may die while starting before the pool gives up. */
export const MAX_START_DEATHS = 5;

/** A cause in a `BrokenExecutor` message: `Name: message`, or what was thrown. */
export function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : `threw ${String(cause)}`;
}

/**
 * A `WorkerCrashedError` with the worker's `exitCode` (minus the signal number when a signal
 * ended a child process, and then the signal's name as `signal`), and the error that killed
 * it as `cause`.
 */
export type CrashError = WorkerCrashedError & { exitCode: number; signal?: NodeJS.Signals };

/** The error of a task whose worker died: says how it died and carries `exitCode` and `cause`. */
export function workerCrashed(
  kind: string,
  exitCode: number,
  cause: unknown,
  what = 'while running this task',
  replaced = true,
): CrashError {
  const signal = exitCode < 0 ? signalName(-exitCode) : undefined;
  const how =
    cause instanceof Error
      ? `${(cause as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `died of an uncaught ${cause.name}: ${cause.message}`}`
      : signal !== undefined
        ? `was killed by ${signal} (exit code ${exitCode})`
        : `exited with code ${exitCode}`;
  const error = new WorkerCrashedError(
    `the ${kind} worker ${how} ${what}${replaced ? '; the pool replaced it and goes on with the other tasks' : ''}`,
    cause === undefined ? undefined : { cause },
  ) as CrashError;
  error.exitCode = exitCode;
  if (signal !== undefined) error.signal = signal;
  return error;
}

/** The name of signal `number` (`SIGKILL` for 9), as a process's negative exit code gives it. */
function signalName(number: number): NodeJS.Signals | undefined {
  const names = Object.entries(constants.signals) as [NodeJS.Signals, number][];
  return names.find(([, value]) => value === number)?.[0];
}
