/**
 * `Scheduler` — the Python Cookbook's generator scheduler (recipe 12.12's `TaskScheduler`):
 * green threads made of generators, each `yield` handing the turn to the next task. A run
 * gives the event loop a turn between slices, so timers and I/O stay alive during long
 * synchronous work; a task that yields a promise is parked until it settles while the
 * others go on (the TypeScript version of `await`).
 * @module
 */
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { isThenable } from '../core/thenable.js';
import { Waiter } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { Deque } from '../queue/deque.js';

/** Options of `new Scheduler()` and `new ActorScheduler()`. */
export interface SchedulerOptions {
  /**
   * Milliseconds of synchronous stepping after which `run()` gives the event loop a turn
   * (default 5). `0` gives it a turn after every slice; `Infinity` never does.
   */
  budget?: number | undefined;
}

/** What `newTask` accepts: a generator (or any iterator), sync or async. */
export type SchedulerTask =
  | Iterator<unknown, unknown, unknown>
  | AsyncIterator<unknown, unknown, unknown>;

const DEFAULT_BUDGET_MS = 5;

/** Gives the event loop one full turn: timers, I/O callbacks and other immediates run first. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * What both schedulers share: one `run()` at a time, the run's end as a weft
 * `Waiter` (so `timeout`, `signal` and the calling task's kill are handled by the one waiter
 * core), `stop()`, and the time budget after which the event loop gets a turn.
 */
export abstract class SchedulerBase {
  private readonly budget: number;
  /** The current run's end; settled once that run is over. */
  private end: Waiter<boolean> | undefined = undefined;
  /** Wakes the current run when it sleeps because every task is parked. */
  protected wakeRun: () => void = () => {};

  constructor(options: SchedulerOptions | undefined, where: string) {
    if (options !== undefined && (options === null || typeof options !== 'object'))
      throw new TypeError(
        `${where}: options must be an object like { budget }, got ${describe(options)}`,
      );
    const budget = options?.budget ?? DEFAULT_BUDGET_MS;
    if (typeof budget !== 'number' || Number.isNaN(budget))
      throw new TypeError(
        `${where}: budget must be a number of milliseconds, got ${describe(budget)}`,
      );
    if (budget < 0)
      throw new RangeError(`${where}: budget must be >= 0 milliseconds, got ${budget}`);
    this.budget = budget;
  }

  /** Whether a slice can run right now. */
  protected abstract hasReady(): boolean;
  /** Whether nothing is left to do at all (no ready and no parked work). */
  protected abstract isIdle(): boolean;
  /** Runs one slice; throws the error a task or actor threw. */
  protected abstract slice(): void;

  /** Whether `run()` is in progress. */
  get running(): boolean {
    return this.end !== undefined && !this.end.settled;
  }

  /**
   * Makes the current `run()` return after the slice in progress, resolving `true` if no
   * work is left and `false` otherwise. Unfinished work stays; `run()` again resumes it.
   * Does nothing when no run is in progress.
   */
  stop(): void {
    if (this.running) this.end!.resolve(this.isIdle());
  }

  /** The shared body of `run()`. */
  protected runLoop(opts: WaitOptions | undefined, where: string): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, where);
      if (refused) return refused;
    }
    const taskSignal = currentIdentity()?.signal;
    if (taskSignal?.aborted) return Promise.reject(taskSignal.reason);
    if (this.running)
      return Promise.reject(
        new RuntimeError(`${where}: this scheduler is already running; await the run in progress`),
      );
    if (this.isIdle()) return Promise.resolve(true);
    const end = new Waiter<boolean>();
    const result = end.park(null, opts, () => this.isIdle());
    if (end.settled) return result; // timeout 0: nothing runs
    this.end = end;
    let wakeIdle: (() => void) | undefined;
    const wake = (): void => wakeIdle?.();
    this.wakeRun = wake;
    // A timeout, an abort or stop() must also end a run that sleeps waiting for parked tasks.
    result.then(wake, wake);
    void this.drive(end, (resolve) => {
      wakeIdle = resolve;
    });
    return result;
  }

  private async drive(end: Waiter<boolean>, sleep: (wake: () => void) => void): Promise<void> {
    const budget = this.budget;
    const clockMask = budget === 0 ? 0 : 15;
    try {
      while (!end.settled) {
        if (!this.hasReady()) {
          if (this.isIdle()) {
            end.resolve(true);
            return;
          }
          await new Promise<void>(sleep);
          continue;
        }
        const deadline = performance.now() + budget;
        // Reading the clock costs as much as a slice, so only every 16th slice does (budget 0: every one).
        let n = 0;
        do this.slice();
        while (
          !end.settled &&
          this.hasReady() &&
          ((++n & clockMask) !== 0 || performance.now() < deadline)
        );
        if (!end.settled && this.hasReady()) await turn();
      }
    } catch (err) {
      end.reject(err);
    }
  }
}

// How a task is resumed at its next slice.
const NEXT = 0; // next(input)
const THROW = 1; // throw(input) into it: a promise it waited for rejected
const FAILED = 2; // its async step rejected: the task is over, report input

class TaskRecord {
  mode = NEXT;
  input: unknown = undefined;
  constructor(readonly gen: SchedulerTask) {}
}

/**
 * Round-robin scheduler over generator tasks (the Cookbook's `TaskScheduler`). Each task
 * runs until its next `yield`, then goes to the back of the line; a task that returns is
 * removed; `run()` resolves `true` once none is left.
 *
 * What a task yields is treated like an `await` operand: `const x = yield promise` parks the
 * task until the promise settles (the others run meanwhile) and gives its value, or throws
 * its rejection into the task; a plain value comes straight back. Async generators work
 * too: each step runs until the generator's next `yield`, others run while it awaits.
 *
 * Errors: a task that throws is removed and `run()` rejects with its error at once; the
 * other tasks stay, and calling `run()` again resumes them (as the Cookbook's `run` lets the
 * exception out and keeps the rest of its deque).
 *
 * @example
 * ```ts
 * function* countdown(n: number) {
 *   for (; n > 0; n--) { console.log('T-minus', n); yield; }
 * }
 * function* fetcher(url: string): Generator<unknown, void, Response> {
 *   const res = yield fetch(url); // parks this task only
 *   console.log(res.status);
 * }
 * const sched = new Scheduler();
 * sched.newTask(countdown(3));
 * sched.newTask(fetcher('https://example.com'));
 * await sched.run(); // true: every task finished
 * ```
 */
export class Scheduler extends SchedulerBase {
  private readonly ready = new Deque<TaskRecord>();
  /** Generators admitted and not finished, ready or parked. */
  private readonly live = new Set<SchedulerTask>();

  constructor(options?: SchedulerOptions) {
    super(options, 'Scheduler');
  }

  /** Number of tasks not finished yet (ready to run or parked on a promise). */
  get size(): number {
    return this.live.size;
  }

  /**
   * Admits a started generator (`newTask(countdown(10))`, not `newTask(countdown)`). It runs
   * at the next `run()`, or in the run in progress (tasks may add tasks).
   */
  newTask(gen: SchedulerTask): void {
    checkStarted(gen, 'Scheduler.newTask', 'a generator or iterator', 'newTask(countdown(10))');
    if (this.live.has(gen))
      throw new RuntimeError(
        'Scheduler.newTask: this generator is already a task of this scheduler',
      );
    this.live.add(gen);
    this.ready.push(new TaskRecord(gen));
    this.wakeRun();
  }

  /**
   * Runs the tasks round-robin until none is left (resolves `true`), `stop()` is called or
   * `timeout` ms pass (resolves `false`; unfinished tasks stay for a later `run()`), `signal`
   * aborts (rejects with its reason) or a task throws (rejects with that error). Between
   * slices the event loop gets a turn every `budget` ms.
   */
  run(opts?: WaitOptions): Promise<boolean> {
    return this.runLoop(opts, 'Scheduler.run');
  }

  protected hasReady(): boolean {
    return this.ready.length > 0;
  }

  protected isIdle(): boolean {
    return this.live.size === 0;
  }

  protected slice(): void {
    const task = this.ready.shift()!;
    const { gen, mode, input } = task;
    task.input = undefined;
    let yielded: unknown;
    try {
      let result: IteratorResult<unknown> | PromiseLike<IteratorResult<unknown>>;
      if (mode === NEXT) result = gen.next(input);
      else if (mode === THROW && typeof gen.throw === 'function') result = gen.throw(input);
      else throw input; // FAILED, or an iterator without throw(): the rejection ends the task
      if (isThenable(result)) {
        this.awaitStep(task, result);
        return;
      }
      if (result.done) {
        this.live.delete(gen);
        return;
      }
      yielded = result.value;
    } catch (err) {
      this.live.delete(gen);
      throw err;
    }
    if (isThenable(yielded)) this.awaitValue(task, yielded);
    else this.resume(task, NEXT, yielded);
  }

  private resume(task: TaskRecord, mode: number, input: unknown): void {
    task.mode = mode;
    task.input = input;
    this.ready.push(task);
  }

  /** `yield promise` in a sync generator: park until it settles, then resume with its outcome. */
  private awaitValue(task: TaskRecord, value: PromiseLike<unknown>): void {
    Promise.resolve(value).then(
      (settled) => {
        this.resume(task, NEXT, settled);
        this.wakeRun();
      },
      (reason) => {
        this.resume(task, THROW, reason);
        this.wakeRun();
      },
    );
  }

  /** A step of an async generator: park until the step settles. */
  private awaitStep(task: TaskRecord, step: PromiseLike<IteratorResult<unknown>>): void {
    Promise.resolve(step).then(
      (result) => {
        if (result.done) this.live.delete(task.gen);
        else this.resume(task, NEXT, undefined);
        this.wakeRun();
      },
      (reason) => {
        this.resume(task, FAILED, reason);
        this.wakeRun();
      },
    );
  }
}

/**
 * Throws a TypeError unless `gen` is a started generator (anything with `next`); a
 * generator function passed by mistake gets a hint showing the call to make.
 */
export function checkStarted(gen: unknown, where: string, expected: string, example: string): void {
  if (
    gen !== null &&
    typeof gen === 'object' &&
    typeof (gen as { next?: unknown }).next === 'function'
  )
    return;
  const hint =
    typeof gen === 'function'
      ? `; call the generator function and pass what it returns, e.g. ${example}`
      : '';
  throw new TypeError(`${where}: expected ${expected}, got ${describe(gen)}${hint}`);
}
