/**
 * What a `RedisWorker` writes when an attempt ends, each with the fenced acknowledgement of
 * its lease (task-stream.ts): the value or the cancellation for the submitter; for a failure,
 * the retry (after its delay) while the task has retries left, else the dead letter and the
 * error for the submitter.
 * @module
 */
import { encodeError } from '../codec/error-codec.js';
import type { ExecutorKeys } from './executor-keys.js';
import { packRecord } from './redis-values.js';
import type { TaskFunction } from './task-modules.js';
import {
  type DeadLetterRecord,
  OUTCOME_CANCELLED,
  OUTCOME_ERROR,
  OUTCOME_VALUE,
  type TaskRecord,
} from './task-record.js';
import type { BurstReceiver, Settlement, TaskDelivery, TaskLeases } from './task-stream.js';

/** One task a worker holds. */
export interface HeldTask {
  readonly record: TaskRecord;
  readonly delivery: TaskDelivery;
  /** The function once found: module and export (the submitter may not know the export's name). */
  found: TaskFunction | undefined;
  /** Stops the run while the runner runs it. */
  stop: ((reason: unknown) => void) | undefined;
  /** Why it was stopped (a cancel, or the worker's close), once it was. */
  stopped: { reason: unknown } | undefined;
  readonly since: number;
  /** Aborted by its executor (a cancel): no retry, the outcome says cancelled. */
  cancelled: boolean;
}

/** The task's function as `module#export` (built when asked: most tasks never need it). */
export function taskName(held: HeldTask): string {
  const found = held.found;
  if (found !== undefined) return `${found[0]}#${found[1]}`;
  return `${held.record.t[0]}#${held.record.t[1] || '(anonymous)'}`;
}

/** @internal Writes the outcomes of one worker's attempts. */
export class TaskOutcomes {
  /** Attempts that succeeded, and that failed, since the start. */
  doneCount = 0;
  failedCount = 0;
  /** Outcomes sent and not yet answered, and who waits for them all. */
  #unsettled = 0;
  #allSettled: (() => void) | undefined;
  readonly #answered: BurstReceiver<number> = {
    answered: () => {
      if (--this.#unsettled === 0) this.#allSettled?.();
    },
  };
  readonly #resultKeys = new Map<string, string>();

  constructor(
    private readonly leases: TaskLeases,
    private readonly keys: ExecutorKeys,
    private readonly worker: string,
    /** Told when a retry was scheduled: the time (ms since the epoch) it is due. */
    private readonly retryDue: (due: number) => void,
  ) {}

  /** The task returned `value` (encoded). */
  value(held: HeldTask, value: unknown): void {
    this.doneCount++;
    const { i: id } = held.record;
    // An `undefined` result (most tasks run for their effect) is left out: JSON carries the rest.
    this.#result(held, value === undefined ? [id, OUTCOME_VALUE] : [id, OUTCOME_VALUE, value]);
  }

  /** The task was cancelled by its executor (`why` tells the submitter, should it still wait). */
  cancelled(held: HeldTask, why: string): void {
    this.#result(held, [held.record.i, OUTCOME_CANCELLED, why]);
  }

  /** The attempt failed with `error`: a retry if the task has retries left, else a dead letter. */
  failed(held: HeldTask, error: unknown): void {
    this.failedCount++;
    const { record } = held;
    const delays = record.d ?? [];
    if (record.n < delays.length) {
      const delay = delays[record.n]!;
      this.retryDue(Date.now() + delay);
      this.#settle({
        delivery: held.delivery,
        kind: 'retry',
        id: record.i,
        delay,
        next: packRecord({ ...record, n: record.n + 1 }),
        outcome: '',
      });
      return;
    }
    const encoded = encodeError(error);
    const letter: DeadLetterRecord = {
      task: record,
      name: taskName(held),
      error: encoded,
      attempts: record.n + 1,
      time: Date.now(),
      worker: this.worker,
    };
    this.#settle({
      delivery: held.delivery,
      kind: 'dead',
      id: record.i,
      results: this.#results(record.r),
      next: packRecord(letter),
      outcome: packRecord([record.i, OUTCOME_ERROR, encoded]),
    });
  }

  /** Something that is not a task weft wrote: acknowledged and dropped, so it does not come back. */
  drop(delivery: TaskDelivery): void {
    this.#settle({ delivery, kind: 'drop', id: '', outcome: '' });
  }

  /** Resolves once every outcome written so far was answered. */
  settled(): Promise<void> {
    if (this.#unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#allSettled = resolve;
    });
  }

  #result(held: HeldTask, outcome: unknown[]): void {
    this.#settle({
      delivery: held.delivery,
      kind: 'result',
      id: held.record.i,
      results: this.#results(held.record.r),
      outcome: packRecord(outcome),
    });
  }

  /** Writes an outcome with the fenced acknowledgement (a lost lease writes nothing: another worker has the task). */
  #settle(settlement: Settlement): void {
    this.#unsettled++;
    this.leases.settle(settlement, this.#answered);
  }

  /** The results list of the executor client `client`. */
  #results(client: string): string {
    let key = this.#resultKeys.get(client);
    if (key === undefined) {
      if (this.#resultKeys.size > 1_000) this.#resultKeys.clear();
      key = this.keys.results(client);
      this.#resultKeys.set(client, key);
    }
    return key;
  }
}
