/**
 * `Task` and `spawn` — green tasks on one event loop (gevent's `Greenlet`, asyncio's
 * `Task`). A task is an async function run with its own identity: RLock ownership,
 * `acquireAll`'s memory and the kill signal all follow it through every `await`.
 * @module
 */
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { currentIdentity, runAsIdentity, type TaskIdentity } from '../core/task-identity.js';
import { CancelledError, RuntimeError } from '../errors.js';
import { Event } from '../sync/event.js';

let nextTaskId = 1;

type TaskState = 'pending' | 'fulfilled' | 'rejected';

/**
 * A running async function with an identity. Awaitable: `await task` gives its value or
 * throws its exception.
 *
 * @example
 * ```ts
 * const task = spawn(async (url: string) => (await fetch(url)).status, 'https://example.com');
 * if (await task.join({ timeout: 5000 })) console.log(task.value);
 * else task.kill();
 * ```
 */
export class Task<T = unknown> implements PromiseLike<T>, TaskIdentity {
  /** Unique, increasing id. */
  readonly id: number;
  /** A name for messages (`Task-<id>` unless given). */
  readonly name: string;
  /** @internal Ordinals of locks held through `acquireAll`. */
  readonly heldOrdinals: number[] = [];
  /** @internal Values of `TaskLocal`s. */
  readonly locals = new Map<object, unknown>();
  private readonly controller = new AbortController();
  private readonly finished = new Event();
  private state: TaskState = 'pending';
  private outcome: unknown;
  private settledPromise: Promise<T> | undefined;

  /** Use `spawn()`. */
  constructor(fn: (...args: never[]) => T | PromiseLike<T>, args: unknown[], name?: string) {
    if (typeof fn !== 'function')
      throw new TypeError(`spawn(fn): fn must be a function, got ${describe(fn)}`);
    this.id = nextTaskId++;
    this.name = name ?? `Task-${this.id}`;
    runAsIdentity(this, () => {
      Promise.resolve()
        .then(() => {
          if (this.signal.aborted) throw this.signal.reason;
          return (fn as (...a: unknown[]) => T | PromiseLike<T>)(...args);
        })
        .then(
          (value) => this.settle('fulfilled', value),
          (error) => this.settle('rejected', error),
        );
    });
  }

  /** Aborted by `kill()`; weft's blocking calls inside the task observe it on their own. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The return value once the task succeeded, else `undefined`. */
  get value(): T | undefined {
    return this.state === 'fulfilled' ? (this.outcome as T) : undefined;
  }

  /** What the task threw once it failed (the kill reason if it was killed), else `undefined`. */
  get exception(): unknown {
    return this.state === 'rejected' ? this.outcome : undefined;
  }

  /** Whether the task has finished, either way. */
  ready(): boolean {
    return this.state !== 'pending';
  }

  /** Whether the task finished by returning. */
  successful(): boolean {
    return this.state === 'fulfilled';
  }

  /**
   * Asks the task to stop: aborts its `signal` with `reason` (a `CancelledError` by
   * default). A task that has not started never starts. Resolves once the task has ended.
   */
  kill(reason: unknown = new CancelledError(`task ${this.name} was killed`)): Promise<void> {
    if (!this.ready()) this.controller.abort(reason);
    return this.finished.wait().then(() => undefined);
  }

  /** Waits for the task to end. Resolves `true` when it has, `false` on timeout; never throws the task's error. */
  join(opts?: WaitOptions): Promise<boolean> {
    const err = invalidWaitOptions(opts, 'Task.join');
    if (err) return Promise.reject(err);
    return this.finished.wait(opts);
  }

  /** Makes the task awaitable: resolves with its value or rejects with its exception. */
  // biome-ignore lint/suspicious/noThenProperty: a Task is deliberately awaitable.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (!this.ready() && currentIdentity() === this) {
      // Awaiting (or returning) itself would wait forever, as asyncio refuses too.
      return Promise.reject(
        new RuntimeError(
          `task ${this.name} awaited itself (or returned its own Task); that can never finish`,
        ),
      ).then(onfulfilled, onrejected);
    }
    this.settledPromise ??= this.finished
      .wait()
      .then(() =>
        this.state === 'fulfilled' ? (this.outcome as T) : Promise.reject(this.outcome),
      );
    return this.settledPromise.then(onfulfilled, onrejected);
  }

  private settle(state: TaskState, outcome: unknown): void {
    this.state = state;
    this.outcome = outcome;
    this.finished.set();
  }
}

/**
 * Starts `fn(...args)` as a new task on the next turn of the event loop and returns its
 * handle (gevent's `spawn`, asyncio's `create_task`).
 *
 * @example
 * ```ts
 * const a = spawn(async () => 1);
 * const b = spawn(async (x: number) => x * 2, 21);
 * console.log(await a, await b); // 1 42
 * ```
 */
export function spawn<A extends unknown[], T>(
  fn: (...args: A) => T | PromiseLike<T>,
  ...args: A
): Task<Awaited<T>> {
  return new Task<Awaited<T>>(fn as unknown as () => Awaited<T>, args);
}

/** The task the calling code runs in, or `undefined` outside any task. */
export function currentTask(): Task | undefined {
  const identity = currentIdentity();
  return identity instanceof Task ? identity : undefined;
}
