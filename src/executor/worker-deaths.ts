/**
 * Crash attribution: what the tasks a worker held come to when it dies or is stopped under
 * them. The task it was running fails, and so do those it finished but never reported
 * (with a `WorkerCrashedError` saying how it died, or the error it was stopped for); those
 * it never started go back to the queue. Also what a pool says when its workers keep dying
 * while starting, and when a task outruns its timeout.
 * @module
 */
import { TimeoutError } from '../errors.js';
import { MAX_START_DEATHS, workerCrashed } from './broken-executor.js';
import { type Job, OVER } from './job.js';
import type { WorkerSlot } from './worker-slot.js';

/** Fails `job` with `error`, unless it is over already. */
export function failJob(job: Job | null, error: unknown): void {
  if (job !== null && job.phase !== OVER) {
    job.over();
    job.setException(error);
  }
}

/**
 * Takes back every task `slot` held, whose worker (of `kind`) crashed with `exitCode` and
 * `cause` after starting `started` of them: fails the one it ran and those it finished
 * without reporting. Returns those it never started, and how many failed.
 */
export function failCrashed(
  slot: WorkerSlot<Job>,
  started: number | undefined,
  kind: string,
  exitCode: number,
  cause: unknown,
): { unstarted: Job[]; failed: number } {
  const { running, lost, unstarted } = slot.reclaim(started);
  if (running !== null) {
    running.over();
    running.setException(workerCrashed(kind, exitCode, cause));
  }
  for (const job of lost) {
    job.over();
    job.setException(
      workerCrashed(kind, exitCode, cause, 'after finishing this task but before reporting it'),
    );
  }
  return { unstarted, failed: lost.length + (running === null ? 0 : 1) };
}

/** Fails every task `slot` held, started or not, with `error`. */
export function failHeld(slot: WorkerSlot<Job>, error: unknown): void {
  const { running, lost, unstarted } = slot.reclaim(undefined);
  for (const job of [running, ...lost, ...unstarted]) failJob(job, error);
}

/** Why a pool broke whose workers died while starting, `crash` the last death. */
export function startDeathsWhy(hasInitializer: boolean, crash: string): string {
  const where = hasInitializer ? 'while starting or running the initializer' : 'while starting';
  return `${MAX_START_DEATHS} workers in a row died ${where}, before taking any task (the last: ${crash})`;
}

/** The error of a task of pool `name` that ran longer than `timeout` ms (its worker is replaced). */
export function overtimeError(name: string, timeout: number, kind: string): TimeoutError {
  return new TimeoutError(
    `${name}: the task ran longer than its timeout of ${timeout} ms; its ${kind} worker was stopped and replaced`,
  );
}
