/**
 * `joinAll` — gevent's `joinall`: wait for several tasks at once.
 * @module
 */
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { Waiter } from '../core/waiter.js';
import { Task, type TaskDoneListener } from './task.js';

/** Options of `joinAll`: `{ timeout, signal }` plus `raiseError`. */
export interface JoinAllOptions extends WaitOptions {
  /**
   * Reject with the first failure as soon as a task fails (its own kill does not count),
   * instead of waiting for the rest. The tasks keep running.
   */
  raiseError?: boolean | undefined;
}

/**
 * Waits until every task has ended, or until `timeout` runs out, and resolves with the
 * tasks that have ended, in the order given (gevent's `joinall`): all of them unless the
 * timeout came first. Never throws a task's error unless `raiseError` is set; then it
 * rejects with the first failure as soon as it happens (among tasks already failed, the
 * first in the order given). An aborted `signal` (or a kill of the calling task) rejects
 * with its reason. The tasks are never killed by `joinAll`.
 *
 * @example
 * ```ts
 * const tasks = hosts.map((host) => spawn(lookup, host));
 * const finished = await joinAll(tasks, { timeout: 2000 });
 * for (const task of tasks) console.log(task.ready() ? task.value : 'still resolving');
 * ```
 */
export function joinAll<T extends Task<unknown>>(
  tasks: Iterable<T>,
  opts?: JoinAllOptions,
): Promise<T[]> {
  const invalid = invalidWaitOptions(opts, 'joinAll');
  if (invalid) return Promise.reject(invalid);
  const raiseError = opts?.raiseError;
  if (raiseError !== undefined && typeof raiseError !== 'boolean') {
    return Promise.reject(
      new TypeError(`joinAll: options.raiseError must be a boolean, got ${describe(raiseError)}`),
    );
  }
  if (typeof (tasks as Iterable<T> | null)?.[Symbol.iterator] !== 'function')
    return Promise.reject(
      new TypeError(`joinAll(tasks): tasks must be an iterable of Tasks, got ${describe(tasks)}`),
    );
  let list: T[];
  try {
    list = Array.from(tasks);
  } catch (error) {
    return Promise.reject(error);
  }
  let pending = 0;
  for (let i = 0; i < list.length; i++) {
    const task = list[i]!;
    if (!(task instanceof Task))
      return Promise.reject(
        new TypeError(`joinAll: tasks[${i}] must be a Task, got ${describe(task)}`),
      );
    if (!task.ready()) pending++;
    else if (raiseError && isFailure(task)) {
      task.markObserved();
      return Promise.reject(task.failure);
    }
  }
  if (pending === 0) return Promise.resolve(list);
  if (opts?.signal?.aborted) return Promise.reject(opts.signal.reason);
  const taskSignal = currentIdentity()?.signal;
  if (taskSignal?.aborted) return Promise.reject(taskSignal.reason);
  if (opts?.timeout === 0) return Promise.resolve(finished(list));
  const waiter = new JoinWaiter(list, pending, raiseError === true);
  const promise = waiter.park(null, opts, finishedOnTimeout);
  for (let i = 0; i < list.length; i++) if (!list[i]!.ready()) waiter.follow(list[i]!);
  return promise as Promise<T[]>;
}

/** A failure `raiseError` reports: anything but the task's own kill (or a cancellation). */
function isFailure(task: Task<unknown>): boolean {
  return task.failed() && !task.isCancellation(task.failure);
}

function finished<T extends Task<unknown>>(list: T[]): T[] {
  return list.filter((task) => task.ready());
}

function finishedOnTimeout(waiter: Waiter<Task<unknown>[]>): Task<unknown>[] {
  return finished((waiter as JoinWaiter).tasks);
}

/** One `joinAll` call: follows its pending tasks, and lets go of all of them however it ends. */
class JoinWaiter extends Waiter<Task<unknown>[]> implements TaskDoneListener {
  constructor(
    readonly tasks: Task<unknown>[],
    private pending: number,
    private readonly raiseError: boolean,
  ) {
    super();
  }

  /** Tasks this call listens to (and holds the failure report of) until it ends. */
  private holding: Task<unknown>[] = [];

  follow(task: Task<unknown>): void {
    this.holding.push(task);
    task.holdReport();
    task.addDoneListener(this);
  }

  taskDone(task: Task<unknown>): void {
    if (this.raiseError && isFailure(task)) {
      task.markObserved();
      this.reject(task.failure);
    } else if (--this.pending === 0) this.resolve(this.tasks);
  }

  protected override finish(): void {
    super.finish();
    const holding = this.holding;
    this.holding = [];
    for (const task of holding) {
      task.removeDoneListener(this);
      // A task that failed meanwhile held its report back for this joiner, who now has it.
      task.releaseReport();
    }
  }
}
