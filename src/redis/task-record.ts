/**
 * A task as it is stored in Redis, and the outcome a worker sends back. Short field names:
 * a record is written once per attempt and read by every worker that takes it.
 * @module
 */
import type { TaskTarget } from './task-target.js';

/** One task. */
export interface TaskRecord {
  /** Task id: the submitting client's id, `:`, a counter. */
  i: string;
  /** The function. */
  t: TaskTarget;
  /** The arguments, encoded (redis-values.ts). */
  a: unknown[];
  /** The submitting client: its outcome goes to that client's results list. */
  r: string;
  /** Attempts made before this one (0 on the first). */
  n: number;
  /** The delay before each retry, ms: its length is the number of retries. */
  d?: number[];
  /** Ms the task may run, counted from its start. */
  o?: number;
}

/** How a task ended, as its outcome says. */
export const OUTCOME_VALUE = 0;
export const OUTCOME_ERROR = 1;
export const OUTCOME_CANCELLED = 2;

/** What a worker sends to the results list: `[task id, outcome, value or encoded error]`. */
export type TaskOutcome = [id: string, outcome: number, value: unknown];

/** A task that failed after its retries, as the dead-letter hash keeps it. */
export interface DeadLetterRecord {
  /** The task, as its last attempt ran. */
  task: TaskRecord;
  /** Its function, as `module#export`. */
  name: string;
  /** The error of the last attempt (encoded: class name, message, stack, fields). */
  error: unknown;
  /** Attempts made. */
  attempts: number;
  /** When it failed the last time (ms since the epoch). */
  time: number;
  /** The worker that ran the last attempt. */
  worker: string;
}

/** Whether `value` looks like a task record (what a worker checks before running one). */
export function isTaskRecord(value: unknown): value is TaskRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Partial<TaskRecord>;
  return (
    typeof record.i === 'string' &&
    Array.isArray(record.t) &&
    record.t.length === 3 &&
    Array.isArray(record.a) &&
    typeof record.r === 'string' &&
    typeof record.n === 'number'
  );
}
