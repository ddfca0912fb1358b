/**
 * `Task` — a green task on one event loop (gevent's `Greenlet`, asyncio's `Task`);
 * `spawn()` in spawn.ts starts one. A task is an async function run with its own identity: RLock ownership,
 * `acquireAll`'s memory, `TaskLocal` values and the kill signal all follow it through every
 * `await`.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import {
  currentIdentity,
  currentLocals,
  inheritLocals,
  type LocalsHolder,
  runAsIdentity,
} from '../core/task-identity.js';
import { type ReportForm, reportUnobservedLater } from '../core/unobserved-report.js';
import { WaitWatch } from '../core/wait-watch.js';
import { falseOnTimeout, RESOLVED_TRUE, RESOLVED_VOID, WaiterQueue } from '../core/waiter.js';
import { CancelledError, RuntimeError } from '../errors.js';
import { type CancelScope, isNativePromise, TaskExtras } from './task-extras.js';
import { enterCompleting, leaveCompleting, scheduleStart, startNow } from './task-start.js';

let nextTaskId = 1;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
type TaskState = typeof PENDING | typeof FULFILLED | typeof REJECTED;

/** Told when a task ends (TaskGroup, TaskPool and joinAll follow their tasks this way). */
export interface TaskDoneListener {
  taskDone(task: Task<unknown>): void;
}

/**
 * A running async function with an identity. Awaitable: `await task` gives its value or
 * throws its exception.
 *
 * A task that fails (other than by its own `kill`) while nobody retrieves its exception —
 * no `await`/`then`, no read of `exception`, no `successful()`, no `joinAll` with
 * `raiseError`, no `TaskGroup` — is reported with `process.emitWarning` (an
 * `UnobservedTaskError` warning) on a later turn of the event loop, like gevent prints a
 * greenlet's death: it neither vanishes silently nor crashes the process. A `join()` still
 * waiting postpones the report, so the joiner can look first.
 *
 * @example
 * ```ts
 * const task = spawn(async (url: string) => (await fetch(url)).status, 'https://example.com');
 * if (await task.join({ timeout: 5000 })) console.log(task.value);
 * else await task.kill();
 * ```
 */
// (It is a TaskIdentity too, through members kept out of the published types.)
export class Task<T = unknown> implements PromiseLike<T> {
  /** Unique, increasing id. */
  readonly id: number;
  /** @internal Values of `TaskLocal`s (copy-on-write, inherited from the spawner). */
  locals: Map<object, unknown> | undefined = undefined;
  /** @internal Whether `locals` is shared with another task. */
  localsShared = false;
  private givenName: string | undefined;
  private state: TaskState = PENDING;
  private outcome: unknown = undefined;
  private listeners: TaskDoneListener | TaskDoneListener[] | undefined = undefined;
  private observed = false;
  private joiners = 0;
  private start: ((...args: unknown[]) => T | PromiseLike<T>) | undefined;
  private startArgs: unknown[] | undefined;
  /**
   * What only some tasks need (a kill, a signal, a cancel scope, a waiter...), made on first
   * use: a spawned task that just runs and ends stays small, which matters when thousands
   * of them are alive at once.
   */
  private extras: TaskExtras<T> | undefined = undefined;

  /**
   * Use `spawn()`. `parent` is whose `TaskLocal` values the task starts with (the calling
   * code's by default); a `deferred` task waits for `schedule()` (a pool slot) to start.
   */
  constructor(
    fn: (...args: never[]) => T | PromiseLike<T>,
    args: unknown[],
    name?: string,
    parent: LocalsHolder = currentLocals(),
    deferred = false,
  ) {
    if (typeof fn !== 'function')
      throw new TypeError(`spawn(fn): fn must be a function, got ${describe(fn)}`);
    this.id = nextTaskId++;
    this.givenName = name;
    inheritLocals(parent, this);
    this.start = fn as (...a: unknown[]) => T | PromiseLike<T>;
    this.startArgs = args;
    if (!deferred) this.schedule();
  }

  /**
   * @internal Starts the task on a later microtask, never synchronously inside `spawn()`;
   * tasks scheduled in one synchronous run start together, in order, from one microtask.
   */
  schedule(): void {
    scheduleStart(this);
  }

  /**
   * @internal Starts the task now when that is safe — right after another task ended (a
   * pool slot it waited for just freed up) — else like `schedule()`. Tasks started this way
   * while others are being started run right after them, so a chain of tasks that end
   * synchronously never grows the stack.
   */
  startNow(): void {
    startNow(this);
  }

  /** A name for messages: `Task-<id>` unless one was given (`spawn.named`) or set. */
  get name(): string {
    return this.givenName ?? `Task-${this.id}`;
  }

  set name(name: string) {
    this.givenName = String(name);
  }

  /**
   * Aborted when the task is killed (with the kill reason). Inside the body of a
   * `TaskGroup` opened by this task it is the group's signal, which also aborts when the
   * group cancels its body. weft's blocking calls inside the task observe it on their own;
   * pass it to other APIs (`fetch`, streams) so they stop too.
   */
  get signal(): AbortSignal {
    const scopes = this.extras?.scopes;
    if (scopes !== undefined && scopes.length > 0) return scopes[scopes.length - 1]!.signal;
    return this.killSignal;
  }

  /** @internal Where weft's waits in the task park: the innermost cancel scope's, or the task's. */
  get waitWatch(): WaitWatch {
    const extras = this.more();
    const scopes = extras.scopes;
    if (scopes !== undefined && scopes.length > 0) return scopes[scopes.length - 1]!.watch;
    let watch = extras.watch;
    if (watch === undefined) {
      watch = extras.watch = new WaitWatch();
      if (extras.killed) watch.interruptAll(extras.killReason);
    }
    return watch;
  }

  /** @internal The signal `kill()` aborts, whatever task groups are open. */
  get killSignal(): AbortSignal {
    const extras = this.more();
    let controller = extras.controller;
    if (controller === undefined) {
      controller = extras.controller = new AbortController();
      // Sleeps, joinAll, select and code given `task.signal` listen here (waits on weft's
      // primitives park on the task's WaitWatch instead): many listeners are normal.
      setMaxListeners(0, controller.signal);
      if (extras.killed) controller.abort(extras.killReason);
    }
    return controller.signal;
  }

  /** @internal Ordinals of locks held through `acquireAll`. */
  get heldOrdinals(): number[] {
    return (this.more().held ??= []);
  }

  /** The return value once the task succeeded, else `undefined`. */
  get value(): T | undefined {
    return this.state === FULFILLED ? (this.outcome as T) : undefined;
  }

  /** What the task threw once it failed (the kill reason if it was killed), else `undefined`. */
  get exception(): unknown {
    if (this.state !== REJECTED) return undefined;
    this.observed = true;
    return this.outcome;
  }

  /** Whether the task has finished, either way. */
  ready(): boolean {
    return this.state !== PENDING;
  }

  /** Whether the task finished by returning (asking counts as looking at a failure). */
  successful(): boolean {
    if (this.state === REJECTED) this.observed = true;
    return this.state === FULFILLED;
  }

  /**
   * Asks the task to stop: aborts its `signal` with `reason` (a `CancelledError` by
   * default). A task that has not started never starts: it ends at once, failed with
   * `reason`. Resolves once the task has ended; that wait is not interrupted when the
   * calling task is killed itself, so cleanup code can kill and wait for its helpers.
   */
  kill(reason: unknown = new CancelledError(`task ${this.name} was killed`)): Promise<void> {
    if (this.state !== PENDING) return RESOLVED_VOID;
    const extras = this.more();
    if (!extras.killed) {
      extras.killed = true;
      extras.killReason = reason;
      extras.controller?.abort(reason);
      extras.watch?.interruptAll(reason);
    }
    if (this.start !== undefined) {
      this.start = this.startArgs = undefined;
      this.settle(REJECTED, reason);
      return RESOLVED_VOID;
    }
    return this.doneQueue().waitIgnoringTask().then(ignore);
  }

  /**
   * Waits for the task to end. Resolves `true` when it has, `false` on timeout; never
   * throws the task's error (read `exception` or `successful()` afterwards). Inside a task,
   * rejects with the kill reason if the caller is killed while waiting.
   */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'Task.join');
      if (refused) return refused;
    }
    if (this.state !== PENDING) return RESOLVED_TRUE;
    this.joiners++;
    return this.doneQueue()
      .wait(opts, falseOnTimeout)
      .finally(() => this.releaseReport());
  }

  /** Makes the task awaitable: resolves with its value or rejects with its exception. */
  // biome-ignore lint/suspicious/noThenProperty: a Task is deliberately awaitable.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.observed = true;
    if (this.state !== PENDING) return this.outcomePromise().then(onfulfilled, onrejected);
    const caller = currentIdentity();
    if (caller === this) {
      // Awaiting (or returning) itself would wait forever, as asyncio refuses too.
      return Promise.reject(
        new RuntimeError(
          `task ${this.name} awaited itself (or returned its own Task); that can never finish`,
        ),
      ).then(onfulfilled, onrejected);
    }
    if (caller === undefined) {
      // Outside any task nothing can interrupt the wait: every caller shares one promise.
      const extras = this.more();
      extras.settledPromise ??= new Promise<T>((resolve, reject) => {
        extras.settleResolve = resolve as (value: unknown) => void;
        extras.settleReject = reject;
      });
      return extras.settledPromise.then(onfulfilled, onrejected);
    }
    // Inside a task the wait observes the caller's kill signal, as every weft wait does.
    return this.doneQueue()
      .wait(undefined, falseOnTimeout)
      .then(() => this.outcomePromise())
      .then(onfulfilled, onrejected);
  }

  /** @internal Opens a cancel scope: until `exitScope`, `signal` is its signal. */
  enterScope(scope: CancelScope): void {
    (this.more().scopes ??= []).push(scope);
  }

  /** @internal Closes a cancel scope opened by `enterScope` (wherever it stands). */
  exitScope(scope: CancelScope): void {
    const scopes = this.extras?.scopes;
    if (scopes === undefined) return;
    const at = scopes.lastIndexOf(scope);
    if (at >= 0) scopes.splice(at, 1);
  }

  /** @internal Calls `listener.taskDone(task)` once the task ends (at once if it has). */
  addDoneListener(listener: TaskDoneListener): void {
    if (this.state !== PENDING) {
      listener.taskDone(this);
      return;
    }
    const listeners = this.listeners;
    if (listeners === undefined) this.listeners = listener;
    else if (Array.isArray(listeners)) listeners.push(listener);
    else this.listeners = [listeners, listener];
  }

  /** @internal Forgets a listener added by `addDoneListener`. */
  removeDoneListener(listener: TaskDoneListener): void {
    const listeners = this.listeners;
    if (listeners === listener) this.listeners = undefined;
    else if (Array.isArray(listeners)) {
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    }
  }

  /** @internal The exception without marking it retrieved (`undefined` unless failed). */
  get failure(): unknown {
    return this.state === REJECTED ? this.outcome : undefined;
  }

  /** @internal Whether the task failed, without marking the failure retrieved. */
  failed(): boolean {
    return this.state === REJECTED;
  }

  /**
   * @internal Whether `error` is a cancellation rather than a failure: the reason this
   * task was killed with, or any `CancelledError` (asyncio counts those as cancellations).
   */
  isCancellation(error: unknown): boolean {
    const extras = this.extras;
    return (
      (extras?.killed === true && error === extras.killReason) || error instanceof CancelledError
    );
  }

  /** @internal Someone (a TaskGroup, a map, joinAll with raiseError) took the failure over. */
  markObserved(): void {
    this.observed = true;
  }

  /** @internal Someone is waiting for the task: no report until `releaseReport`. */
  holdReport(): void {
    this.joiners++;
  }

  /** @internal The wait of `holdReport` ended: report on a later turn if still unobserved. */
  releaseReport(): void {
    if (
      --this.joiners === 0 &&
      this.state === REJECTED &&
      !this.observed &&
      !this.isCancellation(this.outcome)
    ) {
      reportUnobservedLater(this, TASK_REPORT);
    }
  }

  /** @internal Called by the report on a later turn: whether the failure still needs telling. */
  stillUnobserved(): boolean {
    return !this.observed && this.joiners === 0;
  }

  /** @internal Runs the task's function (as the task) and follows its outcome. */
  begin(): void {
    if (this.start !== undefined) runAsIdentity(this, Task.run, this); // else killed before it started
  }

  /** The body of `begin`, running as `task`; static so that starting a task makes no closure. */
  private static run(task: Task<unknown>): void {
    const fn = task.start!;
    const args = task.startArgs!;
    task.start = task.startArgs = undefined;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (error) {
      task.settle(REJECTED, error);
      return;
    }
    if (result === null || typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function')
      task.settle(FULFILLED, result);
    else if (isNativePromise(result)) result.then(Task.fulfilled, Task.rejected);
    else {
      (result as PromiseLike<unknown>).then(
        (value) => task.complete(FULFILLED, value),
        (error: unknown) => task.complete(REJECTED, error),
      );
    }
  }

  /**
   * Reactions to a native promise returned by a task's function. They find their task as
   * the current identity: a `then` callback runs in the async context `then` was called in,
   * which `begin` made the task's. No closure per task, and nothing keeps one alive.
   */
  private static fulfilled(this: void, value: unknown): void {
    (currentIdentity() as Task<unknown>).complete(FULFILLED, value);
  }

  private static rejected(this: void, error: unknown): void {
    (currentIdentity() as Task<unknown>).complete(REJECTED, error);
  }

  /** Settles from a promise reaction: what the listeners start may start right away. */
  private complete(state: TaskState, outcome: unknown): void {
    const outer = enterCompleting();
    try {
      this.settle(state, outcome);
    } finally {
      leaveCompleting(outer);
    }
  }

  private settle(state: TaskState, outcome: unknown): void {
    this.state = state;
    this.outcome = outcome;
    const extras = this.extras;
    if (extras !== undefined) {
      if (extras.settledPromise !== undefined) {
        if (state === FULFILLED) extras.settleResolve!(outcome);
        else extras.settleReject!(outcome);
        extras.settleResolve = extras.settleReject = undefined;
      }
      extras.waiters?.wakeAll(true);
    }
    const listeners = this.listeners;
    if (listeners !== undefined) {
      this.listeners = undefined;
      if (Array.isArray(listeners)) for (const listener of listeners) listener.taskDone(this);
      else listeners.taskDone(this);
    }
    if (
      state === REJECTED &&
      !this.observed &&
      this.joiners === 0 &&
      !this.isCancellation(outcome)
    ) {
      reportUnobservedLater(this, TASK_REPORT);
    }
  }

  private outcomePromise(): Promise<T> {
    return this.state === FULFILLED
      ? Promise.resolve(this.outcome as T)
      : Promise.reject(this.outcome);
  }

  private doneQueue(): WaiterQueue<boolean> {
    return (this.more().waiters ??= new WaiterQueue<boolean>());
  }

  private more(): TaskExtras<T> {
    return (this.extras ??= new TaskExtras<T>());
  }
}

function ignore(): void {}

/** The warning about a task's failure nobody retrieved. */
const TASK_REPORT: ReportForm<Task<unknown>> = {
  warning: 'UnobservedTaskError',
  code: 'WEFT_UNOBSERVED_TASK_ERROR',
  field: 'task',
  message: (task) =>
    `task ${task.name} failed and nobody retrieved its exception (await the task, read ` +
    'task.exception, or join it with joinAll(tasks, { raiseError: true }))',
};
