/**
 * `TaskGroup` — structured concurrency (asyncio's `TaskGroup`, Trio's nursery): tasks
 * spawned into a group never outlive it, and a failure anywhere stops the rest.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { WaitWatch } from '../core/wait-watch.js';
import { CancelledError, RuntimeError } from '../errors.js';
import { currentTask, spawn } from './spawn.js';
import { Task } from './task.js';
import type { CancelScope } from './task-extras.js';

type GroupState = 'open' | 'exiting' | 'closed';

/**
 * A scope for tasks. On exit it waits for every child, including children spawned after
 * an `await` in the body or by other children. The first child that fails cancels the
 * others and the body: the children are killed, and the weft waits of the task that opened
 * the group (its `currentTask().signal` is the group's `signal` while the group is open)
 * reject with the cancellation. Then the group throws the real errors — the error itself
 * when one failed, an `AggregateError` of them when several did — never the
 * cancellations. Killing the task that opened the group kills every child. Spawning into
 * a group that is shutting down or finished throws a `RuntimeError`. Finished children are
 * not retained.
 *
 * Two ways to use it:
 *
 * - `TaskGroup.run(async (tg) => ...)` resolves with the body's value, or rejects with the
 *   real errors. An error thrown by the body itself also cancels the children and is one of
 *   the errors. Outside any task, the body runs in a task of its own so it can be cancelled.
 * - `await using tg = new TaskGroup()` in a block. JavaScript does not tell a disposer why
 *   its block ended, so an error thrown by the body does not cancel the children (the group
 *   still waits for them); and when the group throws while the body threw too (the body's
 *   wait was cancelled because a child failed), JavaScript reports a `SuppressedError`
 *   whose `error` is the group's error and whose `suppressed` is the body's. A kill of the
 *   task reaches the body at its weft waits; one that comes after the body ended, while the
 *   group waits for its children, is thrown by the group once they have ended. Outside any
 *   task, the body's own waits are not interrupted (there is no task to interrupt): pass
 *   `tg.signal` to them. Prefer `TaskGroup.run` when the body can fail.
 *
 * Cancellation is level-triggered, as with every weft kill: once cancelled, every weft wait
 * in the body and in the killed children rejects at once (until the group has exited), so
 * cleanup code in `finally` should not wait on weft primitives.
 *
 * @example
 * ```ts
 * const [a, b] = await TaskGroup.run(async (tg) => {
 *   const a = tg.spawn(fetchJson, '/a');
 *   const b = tg.spawn(fetchJson, '/b');
 *   return [a, b];
 * }); // both done here; if one failed, the other was killed and this threw its error
 * console.log(a.value, b.value);
 *
 * {
 *   await using tg = new TaskGroup();
 *   for (const url of urls) tg.spawn(download, url);
 * } // waits for every download
 * ```
 */
// (Structurally also a TaskDoneListener, through members kept out of the published types.)
export class TaskGroup implements AsyncDisposable {
  private readonly owner: Task | undefined;
  private readonly controller = new AbortController();
  /** The body's cancel scope: its signal, and the weft waits parked in the body. */
  private readonly scope: CancelScope = { signal: this.controller.signal, watch: new WaitWatch() };
  /** What the owner observed when the group opened: its kill signal, or an enclosing group's. */
  private readonly parentSignal: AbortSignal | undefined;
  private readonly children = new Set<Task<unknown>>();
  private errors: unknown[] = [];
  private state: GroupState = 'open';
  private aborting = false;
  private allDone: (() => void) | undefined = undefined;
  private exiting: Promise<void> | undefined = undefined;
  /** Whether the owner was killed while the group waited at its exit (the body had ended by then). */
  private killedWhileExiting = false;
  private readonly onParentAbort = (): void => {
    this.killedWhileExiting = this.state === 'exiting';
    this.abort(this.parentSignal!.reason);
  };

  /** Opens the group in the calling task (use with `await using`, or use `TaskGroup.run`). */
  constructor() {
    // Sleeps, joinAll, select and nested groups in the body listen to the group's signal (waits on weft's
    // primitives park on the scope's WaitWatch instead): many listeners are normal.
    setMaxListeners(0, this.controller.signal);
    const owner = currentTask();
    this.owner = owner;
    if (owner === undefined) return;
    const parentSignal = owner.signal;
    this.parentSignal = parentSignal;
    owner.enterScope(this.scope);
    if (parentSignal.aborted) this.abort(parentSignal.reason);
    else parentSignal.addEventListener('abort', this.onParentAbort);
  }

  /**
   * Runs `body` with a new group and closes the group when the body is done: waits for
   * every child and resolves with the body's value, or rejects with the real errors (the
   * body's own included). If the calling task is killed meanwhile, rejects with the kill
   * reason once every child has ended.
   *
   * @example
   * ```ts
   * const total = await TaskGroup.run(async (tg) => {
   *   const parts = [1, 2, 3].map((n) => tg.spawn(async () => n * 10));
   *   await joinAll(parts);
   *   return parts.reduce((sum, part) => sum + part.value!, 0);
   * }); // 60
   * ```
   */
  static async run<R>(body: (tg: TaskGroup) => R | PromiseLike<R>): Promise<Awaited<R>> {
    if (typeof body !== 'function')
      throw new TypeError(`TaskGroup.run(body): body must be a function, got ${typeof body}`);
    // The body must run in a task for the group to be able to cancel it.
    if (currentTask() === undefined) return spawn.named('TaskGroup.run', TaskGroup.run<R>, body);
    const group = new TaskGroup();
    let value: Awaited<R> | undefined;
    let failed = false;
    let error: unknown;
    try {
      value = await body(group);
    } catch (thrown) {
      failed = true;
      error = thrown;
    }
    await group.exit(failed, error, true);
    return value as Awaited<R>;
  }

  /**
   * Aborted (with the cancellation) when the group cancels its body: a child failed, the
   * body failed (`TaskGroup.run`), or the task that opened the group was killed.
   */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** How many children are still running. */
  get running(): number {
    return this.children.size;
  }

  /**
   * Starts `fn(...args)` as a child task of the group (on a later microtask, like
   * `spawn`) and returns it. Throws a `RuntimeError` once the group is shutting down (a
   * failure or a cancellation is under way) or finished. Name a child with
   * `tg.spawn(fn).name = '...'`.
   */
  spawn<A extends unknown[], T>(
    fn: (...args: A) => T | PromiseLike<T>,
    ...args: A
  ): Task<Awaited<T>> {
    if (this.state === 'closed') {
      throw new RuntimeError(
        'TaskGroup is finished: its block has ended and every child with it; spawn into a group only while it is open',
      );
    }
    if (this.aborting) {
      throw new RuntimeError(
        'TaskGroup is shutting down: a child failed or the group was cancelled, so it takes no new tasks',
      );
    }
    const task = new Task<Awaited<T>>(fn as unknown as () => Awaited<T>, args);
    this.children.add(task as Task<unknown>);
    task.addDoneListener(this);
    return task;
  }

  /** Closes the group at the end of an `await using` block: waits for every child, then throws their errors. */
  [Symbol.asyncDispose](): Promise<void> {
    this.exiting ??= this.exit(false, undefined, false);
    return this.exiting;
  }

  /** @internal A child ended. */
  taskDone(task: Task<unknown>): void {
    this.children.delete(task);
    if (task.failed()) {
      const error = task.failure;
      task.markObserved();
      if (!task.isCancellation(error)) {
        this.errors.push(error);
        if (!this.aborting)
          this.abort(new CancelledError(`TaskGroup cancelled: its task ${task.name} failed`));
      }
    }
    if (this.children.size === 0) this.allDone?.();
  }

  /** Cancels the body and kills every child with `reason`. */
  private abort(reason: unknown): void {
    if (this.aborting) return;
    this.aborting = true;
    this.controller.abort(reason);
    this.scope.watch.interruptAll(reason);
    for (const child of this.children) void child.kill(reason);
  }

  private async exit(bodyFailed: boolean, bodyError: unknown, rethrow: boolean): Promise<void> {
    if (this.state !== 'open') throw new RuntimeError('TaskGroup: the group was already closed');
    this.state = 'exiting';
    // The body may rethrow a child's error (by awaiting the child): count it once.
    if (bodyFailed && !this.isCancellation(bodyError) && !this.errors.includes(bodyError)) {
      this.errors.push(bodyError);
      this.abort(new CancelledError('TaskGroup cancelled: its body failed'));
    }
    // Not a weft wait: the group keeps waiting for its children even when its task is
    // killed (the kill reaches the children through onParentAbort).
    if (this.children.size > 0) await new Promise<void>((resolve) => (this.allDone = resolve));
    this.allDone = undefined;
    this.state = 'closed';
    this.parentSignal?.removeEventListener('abort', this.onParentAbort);
    this.owner?.exitScope(this.scope);
    const errors = this.errors;
    this.errors = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${errors.length} tasks of a TaskGroup failed`);
    if (rethrow && bodyFailed) throw bodyError;
    // A kill that came while the body ran reached it (or reaches its next wait); one that came
    // while the group waited at its exit ends the block here.
    if (this.killedWhileExiting || (rethrow && this.parentSignal?.aborted))
      throw this.parentSignal!.reason;
  }

  /** Whether the body's error is a cancellation (the group's own, or its task's kill) rather than a failure. */
  private isCancellation(error: unknown): boolean {
    return (
      error instanceof CancelledError ||
      (this.controller.signal.aborted && error === this.controller.signal.reason) ||
      (this.parentSignal?.aborted === true && error === this.parentSignal.reason)
    );
  }
}
