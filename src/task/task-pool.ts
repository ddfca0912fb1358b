/**
 * `TaskPool` — gevent's `Pool`: at most `size` tasks run at once; the rest wait, in FIFO
 * order, for a slot.
 * @module
 */
import { LOOK, type PoolLook, registerLive } from '../core/live-registry.js';
import { refuseWait, type WaitOptions } from '../core/options.js';
import { currentLocals } from '../core/task-identity.js';
import { falseOnTimeout, RESOLVED_TRUE, RESOLVED_VOID, WaiterQueue } from '../core/waiter.js';
import { CancelledError } from '../errors.js';
import { type PoolRun, SlotClaim } from './pool-slots.js';
import { Task, type TaskDoneListener } from './task.js';
import { iteratorOf, MapRun } from './task-pool-map.js';

/**
 * A pool of at most `size` concurrently running tasks (gevent's `Pool`). `spawn` returns
 * the task at once; it starts as soon as a slot is free (FIFO), and killing it before
 * then removes it without a trace. `map`, `imap` and `imapUnordered` run a function over
 * an iterable or async iterable, pulling items only as slots free up.
 *
 * A `Task` is awaitable, so no promise can resolve *to* one: that is why `spawn` does not
 * wait for the slot itself. A producer that wants gevent's blocking spawn (backpressure)
 * awaits `waitAvailable()` first.
 *
 * @example
 * ```ts
 * const pool = new TaskPool(10);
 * const sizes = await pool.map(async (url: string) => (await fetch(url)).headers.get('content-length'), urls);
 * for await (const page of pool.imapUnordered(fetchPage, pageNumbers())) console.log(page);
 * for (const job of jobs) {
 *   await pool.waitAvailable(); // backpressure: never more than `size` running or queued
 *   pool.spawn(handle, job);
 * }
 * await pool.join();
 * ```
 */
// (Structurally also a PoolSlots, through members kept out of the published types.)
export class TaskPool {
  /** How many tasks may run at once. */
  readonly size: number;
  private active = 0;
  private readonly claims = new WaiterQueue<unknown>();
  /** Tasks spawned into the pool and running (a doubly linked list). */
  private first: PoolEntry | null = null;
  private runningCount = 0;
  private readonly runs = new Set<PoolRun>();
  private readonly idle = new WaiterQueue<boolean>();
  private readonly available = new WaiterQueue<boolean>();
  /** Tasks ever given to the pool (spawned, or started by a map), ended well, and failed (the dashboard's rates). */
  private submittedCount = 0;
  private doneCount = 0;
  private failedCount = 0;

  /** `size`: an integer >= 1, or `Infinity` for no limit. */
  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1) && size !== Number.POSITIVE_INFINITY)
      throw new RangeError(`TaskPool(size): size must be an integer >= 1 or Infinity, got ${size}`);
    this.size = size;
    registerLive(this);
  }

  /** How many more tasks could start now (gevent's `free_count()`). */
  get free(): number {
    return Math.max(0, this.size - this.active);
  }

  /** How many tasks are running in the pool now (not counting those waiting for a slot). */
  get running(): number {
    return this.runningCount;
  }

  /**
   * Runs `fn(...args)` as a task of the pool: it starts as soon as a slot is free (at once
   * when one is), after the tasks queued before it. Returns the task now; `task.kill()`
   * before it starts removes it from the queue and it never runs.
   *
   * @example
   * ```ts
   * const pool = new TaskPool(2);
   * const tasks = [1, 2, 3].map((n) => pool.spawn(async (x: number) => x * 10, n));
   * console.log(await Promise.all(tasks)); // [10, 20, 30]
   * ```
   */
  spawn<A extends unknown[], T>(
    fn: (...args: A) => T | PromiseLike<T>,
    ...args: A
  ): Task<Awaited<T>> {
    const task = new Task<Awaited<T>>(
      fn as unknown as () => Awaited<T>,
      args,
      undefined,
      currentLocals(),
      true,
    );
    const entry = new PoolEntry(this, task as Task<unknown>);
    task.addDoneListener(entry);
    this.submittedCount++;
    if (this.hasFree()) {
      this.occupy();
      this.run(entry);
      task.schedule();
    } else this.claims.push(entry);
    return task;
  }

  /**
   * Waits until a slot is free and no task is queued for one (gevent's `wait_available`):
   * a `spawn` right after it starts at once. Resolves `true`, or `false` on timeout.
   */
  waitAvailable(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'TaskPool.waitAvailable');
      if (refused) return refused;
    }
    if (this.hasFree()) return RESOLVED_TRUE;
    return this.available.wait(opts, falseOnTimeout);
  }

  /**
   * Runs `fn` over every item (of an iterable or async iterable) in the pool and resolves
   * with the results in input order. Items are pulled only as slots free up. The first
   * failure stops pulling and kills the items still running; once they have ended, the
   * promise rejects with that failure. Killing the calling task does the same, with the
   * kill reason.
   *
   * @example
   * ```ts
   * const squares = await new TaskPool(4).map(async (n: number) => n * n, [1, 2, 3]); // [1, 4, 9]
   * ```
   */
  map<I, R>(
    fn: (item: I) => R | PromiseLike<R>,
    items: Iterable<I> | AsyncIterable<I>,
  ): Promise<Awaited<R>[]> {
    try {
      return this.startRun(fn, items, 'collect', 'TaskPool.map').collect();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Like `map`, as an async iterable that yields each result in input order as soon as
   * it and those before it are ready. Nothing starts before the first `next()`. At most
   * `size` results wait for the consumer (on top of `size` running): a slow consumer slows
   * the pulling of the input. A failure is thrown when its turn comes, after the rest was
   * stopped; breaking out of the loop stops pulling, kills the items still running and
   * waits for them to end.
   *
   * @example
   * ```ts
   * for await (const page of pool.imap(fetchPage, [1, 2, 3])) console.log(page.title);
   * ```
   */
  imap<I, R>(
    fn: (item: I) => R | PromiseLike<R>,
    items: Iterable<I> | AsyncIterable<I>,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.startRun(fn, items, 'ordered', 'TaskPool.imap');
  }

  /** Like `imap`, yielding each result as soon as it is ready (completion order). */
  imapUnordered<I, R>(
    fn: (item: I) => R | PromiseLike<R>,
    items: Iterable<I> | AsyncIterable<I>,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.startRun(fn, items, 'unordered', 'TaskPool.imapUnordered');
  }

  /**
   * Waits until no task runs or waits for a slot (tasks spawned meanwhile included).
   * Resolves `true`, or `false` on timeout; never throws a task's error.
   */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'TaskPool.join');
      if (refused) return refused;
    }
    if (this.isIdle()) return RESOLVED_TRUE;
    return this.idle.wait(opts, falseOnTimeout);
  }

  /**
   * Kills every task of the pool with `reason` (a `CancelledError` by default): queued
   * ones never start, running ones are asked to stop, and running `map`/`imap` calls end
   * with `reason`. Resolves once every task has ended. The pool stays usable.
   */
  kill(reason: unknown = new CancelledError('the TaskPool was killed')): Promise<void> {
    for (const run of [...this.runs]) run.fail(reason);
    const tasks: Task<unknown>[] = [];
    for (const claim of this.claims) if (claim instanceof PoolEntry) tasks.push(claim.task);
    for (let entry = this.first; entry !== null; entry = entry.after) tasks.push(entry.task);
    for (const task of tasks) void task.kill(reason);
    if (this.isIdle()) return RESOLVED_VOID;
    return this.idle.waitIgnoringTask().then(ignore);
  }

  /** @internal A spawned task ended: its slot goes to the next in line. */
  entryDone(entry: PoolEntry): void {
    if (entry.queue !== null) {
      // Killed while it waited for a slot: it leaves the queue and never runs.
      this.dequeue(entry);
      return;
    }
    const { before, after } = entry;
    if (before === null) this.first = after;
    else before.after = after;
    if (after !== null) after.before = before;
    this.untrack(entry.task.failed());
    this.vacate();
  }

  /** @internal */
  hasFree(): boolean {
    return this.active < this.size && this.claims.length === 0;
  }

  /** @internal */
  occupy(): void {
    this.active++;
  }

  /** @internal */
  unoccupy(): void {
    this.active--;
    this.settled();
  }

  /** @internal */
  vacate(): void {
    this.active--;
    while (this.active < this.size) {
      const claim = this.claims.shift() as SlotClaim | null;
      if (claim === null) break;
      claim.grant();
    }
    this.settled();
  }

  /** @internal */
  enqueue(claim: SlotClaim): void {
    this.claims.push(claim);
  }

  /** @internal */
  dequeue(claim: SlotClaim): void {
    this.claims.remove(claim);
    this.settled();
  }

  /** @internal */
  track(): void {
    this.runningCount++;
    this.submittedCount++;
  }

  /** @internal */
  untrack(failed: boolean): void {
    this.runningCount--;
    if (failed) this.failedCount++;
    else this.doneCount++;
  }

  /** The local dashboard's look (core/live-registry.ts). */
  [LOOK](): PoolLook {
    return {
      kind: 'pool',
      type: 'TaskPool',
      name: null,
      detail: this.size === Number.POSITIVE_INFINITY ? 'no limit' : `size ${this.size}`,
      waiting: this.claims.length,
      running: this.runningCount,
      submitted: this.submittedCount,
      done: this.doneCount,
      failed: this.failedCount,
      workers: null,
      shutDown: null,
    };
  }

  /** @internal */
  registerRun(run: PoolRun): void {
    this.runs.add(run);
  }

  /** @internal */
  forgetRun(run: PoolRun): void {
    this.runs.delete(run);
  }

  /** @internal Counts `entry` as running in a slot the caller took (the caller starts its task). */
  run(entry: PoolEntry): void {
    const first = this.first;
    if (first !== null) first.before = entry;
    entry.after = first;
    this.first = entry;
    this.runningCount++;
  }

  private startRun<I, R>(
    fn: (item: I) => R | PromiseLike<R>,
    items: Iterable<I> | AsyncIterable<I>,
    mode: 'collect' | 'ordered' | 'unordered',
    where: string,
  ): MapRun<I, Awaited<R>> {
    if (typeof fn !== 'function')
      throw new TypeError(`${where}(fn, items): fn must be a function, got ${typeof fn}`);
    const [source, isAsync] = iteratorOf(items, where);
    return new MapRun<I, Awaited<R>>(
      this,
      fn as (item: I) => Awaited<R>,
      source,
      isAsync,
      mode,
      currentLocals(),
    );
  }

  private isIdle(): boolean {
    return this.active === 0 && this.claims.length === 0;
  }

  /** Wakes `join()` and `waitAvailable()` callers whose condition now holds. */
  private settled(): void {
    if (this.claims.length > 0) return;
    if (this.active === 0) this.idle.wakeAll(true);
    if (this.active < this.size) this.available.wakeAll(true);
  }
}

/** A spawned task: queued for a slot (in the pool's claims), then running (in its running list). */
class PoolEntry extends SlotClaim implements TaskDoneListener {
  before: PoolEntry | null = null;
  after: PoolEntry | null = null;
  constructor(
    private readonly pool: TaskPool,
    readonly task: Task<unknown>,
  ) {
    super();
  }

  grant(): void {
    this.pool.occupy();
    this.pool.run(this);
    this.task.startNow();
  }

  taskDone(): void {
    this.pool.entryDone(this);
  }
}

function ignore(): void {}
