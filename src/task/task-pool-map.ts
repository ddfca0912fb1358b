/**
 * The machinery behind `TaskPool.map`, `imap` and `imapUnordered`: one `MapRun` pulls items
 * from the input only as pool slots (and the consumer) make room, runs each as a task, and
 * hands the results out in input order, in completion order, or collected in an array.
 * @module
 */
import { currentIdentity, type LocalsHolder } from '../core/task-identity.js';
import { Waiter, WaiterQueue } from '../core/waiter.js';
import { CancelledError } from '../errors.js';
import { Deque } from '../queue/deque.js';
import { type PoolRun, type PoolSlots, SlotClaim } from './pool-slots.js';
import { Task, type TaskDoneListener } from './task.js';

/** How a run hands out its results: all at once in an array, or one by one in input or completion order. */
export type MapMode = 'collect' | 'ordered' | 'unordered';

/** The input failed (its iterator threw); delivered after what was pulled before it. */
class SourceFailure {
  constructor(readonly error: unknown) {}
}

type Source<I> = Iterator<I> | AsyncIterator<I>;
type Ready = Task<unknown> | SourceFailure;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Turns an iterable or async iterable into its iterator (async iterables win). */
export function iteratorOf<I>(
  items: Iterable<I> | AsyncIterable<I>,
  where: string,
): [Source<I>, boolean] {
  if (items != null && typeof (items as AsyncIterable<I>)[Symbol.asyncIterator] === 'function')
    return [(items as AsyncIterable<I>)[Symbol.asyncIterator](), true];
  if (items != null && typeof (items as Iterable<I>)[Symbol.iterator] === 'function')
    return [(items as Iterable<I>)[Symbol.iterator](), false];
  throw new TypeError(`${where}: items must be an iterable or an async iterable`);
}

/** One `map`/`imap`/`imapUnordered` call. */
// (Structurally also a PoolRun, through members kept out of the published types.)
export class MapRun<I, R> implements AsyncIterableIterator<R> {
  /** This run's place in the pool's queue for a slot. */
  private readonly claim = new RunClaim(this);
  /** The items running now (a doubly linked list), and how many. */
  private first: Item | null = null;
  private running = 0;
  private pulled = 0;
  private nextOut = 0;
  private buffered = 0;
  private readonly ordered = new Map<number, Ready>();
  private readonly unordered = new Deque<Ready>();
  private readonly output: R[] = [];
  private readonly limit: number;
  private started = false;
  private queued = false;
  private pumping = false;
  private pulling = false;
  private sourceDone = false;
  private stopped = false;
  private finished = false;
  private error: { reason: unknown } | undefined = undefined;
  private readonly consumers = new WaiterQueue<void>();
  private readonly stopWaiters = new WaiterQueue<void>();
  private collector: Waiter<unknown[]> | undefined = undefined;

  constructor(
    private readonly pool: PoolSlots,
    private readonly fn: (item: I) => R | PromiseLike<R>,
    private readonly source: Source<I>,
    private readonly isAsync: boolean,
    private readonly mode: MapMode,
    private readonly locals: LocalsHolder,
  ) {
    // Collecting needs no bound beyond the slots; iterators keep at most `size` results
    // waiting for the consumer on top of the `size` running.
    this.limit = mode === 'collect' ? Number.POSITIVE_INFINITY : pool.size * 2;
  }

  /** `map`: resolves with every result in input order, or rejects with the first failure once the rest stopped. */
  collect(): Promise<R[]> {
    const taskSignal = currentIdentity()?.signal;
    if (taskSignal?.aborted) return Promise.reject(taskSignal.reason);
    const collector = new CollectWaiter(this);
    this.collector = collector;
    const promise = collector.park(null, undefined, neverTimesOut);
    this.begin();
    return promise as Promise<R[]>;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<R, undefined>> {
    for (;;) {
      if (this.finished) return DONE;
      if (!this.started) this.begin();
      if (this.error !== undefined) {
        // The pool was killed: the run ends with the kill reason.
        await this.finish();
        throw this.error.reason;
      }
      const ready = this.takeReady();
      if (ready !== undefined) {
        if (ready instanceof Task) {
          if (!ready.failed()) return { done: false, value: ready.value as R };
          ready.markObserved();
          await this.finish();
          throw ready.failure;
        }
        await this.finish();
        throw ready.error;
      }
      if (this.exhausted()) {
        await this.finish();
        return DONE;
      }
      try {
        await this.consumers.wait(undefined, neverTimesOut);
      } catch (reason) {
        // The consuming task was killed: stop the work it asked for before passing it on.
        await this.finish();
        throw reason;
      }
    }
  }

  /** Breaking out of `for await`: stops pulling, kills what is running and waits for it to end. */
  async return(): Promise<IteratorResult<R, undefined>> {
    await this.finish();
    return DONE;
  }

  /** @internal The pool gave this run the head of its queue. */
  grant(): void {
    this.queued = false;
    if (!this.canStart()) return;
    this.pool.occupy();
    if (this.startOne()) this.pump();
  }

  /** @internal One of this run's tasks ended. */
  itemDone(item: Item): void {
    const { prev, next } = item;
    if (prev === null) this.first = next;
    else prev.next = next;
    if (next !== null) next.prev = prev;
    this.running--;
    this.pool.untrack(item.task.failed());
    if (!this.stopped) this.record(item.task, item.index);
    this.pool.vacate();
    this.pump();
    this.changed();
  }

  /** @internal Stops the run with `reason` as its outcome (pool.kill, a failed map item). */
  fail(reason: unknown): void {
    this.error ??= { reason };
    this.stop();
    this.changed();
  }

  private begin(): void {
    this.started = true;
    this.pool.registerRun(this);
    this.pump();
    this.changed();
  }

  private canStart(): boolean {
    return (
      !this.stopped &&
      !this.sourceDone &&
      !this.pulling &&
      this.running + this.buffered < this.limit
    );
  }

  /** Starts as many items as free slots and the limit allow, then queues for the next slot. */
  private pump(): void {
    if (this.queued || this.pumping) return;
    this.pumping = true;
    while (this.canStart()) {
      if (!this.pool.hasFree()) {
        this.queued = true;
        this.pool.enqueue(this.claim);
        break;
      }
      this.pool.occupy();
      if (!this.startOne()) break;
    }
    this.pumping = false;
  }

  /** Pulls one item into the slot just taken; `false` when no task started now. */
  private startOne(): boolean {
    if (this.isAsync) {
      this.pulling = true;
      (this.source as AsyncIterator<I>).next().then(
        (result) => this.pulledAsync(result),
        (error: unknown) => {
          this.pulling = false;
          this.pool.vacate();
          this.sourceFailed(error);
        },
      );
      return false;
    }
    let result: IteratorResult<I>;
    try {
      result = (this.source as Iterator<I>).next();
    } catch (error) {
      this.pool.unoccupy();
      this.sourceFailed(error);
      return false;
    }
    if (result.done) {
      this.pool.unoccupy();
      this.sourceDone = true;
      this.changed();
      return false;
    }
    this.launch(result.value);
    return true;
  }

  private pulledAsync(result: IteratorResult<I>): void {
    this.pulling = false;
    if (this.stopped || result.done) {
      this.sourceDone = true;
      this.pool.vacate();
    } else {
      this.launch(result.value);
      this.pump();
    }
    this.changed();
  }

  /** Runs `value` as a task: at once when a task of the pool just ended, else on the next microtask. */
  private launch(value: I): void {
    const task = new Task<unknown>(
      this.fn as (item: never) => unknown,
      [value],
      undefined,
      this.locals,
      true,
    );
    const item = new Item(this as MapRun<unknown, unknown>, task, this.pulled++);
    const first = this.first;
    if (first !== null) first.prev = item;
    item.next = first;
    this.first = item;
    this.running++;
    this.pool.track();
    task.addDoneListener(item);
    task.startNow();
  }

  private sourceFailed(error: unknown): void {
    this.sourceDone = true;
    if (this.mode === 'collect') this.fail(error);
    else this.store(this.pulled, new SourceFailure(error));
    this.changed();
  }

  private record(task: Task<unknown>, index: number): void {
    // The run owns its items' failures (it delivers or discards them): never report them as unobserved.
    if (task.failed()) task.markObserved();
    if (this.mode !== 'collect') {
      this.store(index, task);
      return;
    }
    if (task.failed()) this.fail(task.failure);
    else this.output[index] = task.value as R;
  }

  private store(index: number, ready: Ready): void {
    this.buffered++;
    if (this.mode === 'ordered') this.ordered.set(index, ready);
    else this.unordered.push(ready);
  }

  private takeReady(): Ready | undefined {
    let ready: Ready | undefined;
    if (this.mode === 'ordered') {
      ready = this.ordered.get(this.nextOut);
      if (ready !== undefined) {
        this.ordered.delete(this.nextOut);
        this.nextOut++;
      }
    } else ready = this.unordered.shift();
    if (ready !== undefined) {
      this.buffered--;
      this.pump();
    }
    return ready;
  }

  private exhausted(): boolean {
    return this.sourceDone && this.running === 0 && !this.pulling && this.buffered === 0;
  }

  /** Stops pulling, closes the input and kills the running tasks (they end on their own time). */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.queued) {
      this.queued = false;
      this.pool.dequeue(this.claim);
    }
    if (!this.sourceDone) {
      this.sourceDone = true;
      closeQuietly(this.source);
    }
    const reason = new CancelledError('TaskPool map stopped: its results are no longer wanted');
    for (let item = this.first; item !== null; item = item.next) void item.task.kill(reason);
  }

  /** Ends the iteration: stops what is left and waits (uninterruptibly) until it has ended. */
  private async finish(): Promise<void> {
    this.finished = true;
    this.stop();
    if (this.running > 0 || this.pulling) await this.stopWaiters.waitIgnoringTask();
    this.pool.forgetRun(this);
    this.consumers.wakeAll(undefined);
  }

  /** Something changed: wake consumers, settle `collect`, release `finish`. */
  private changed(): void {
    const idle = this.running === 0 && !this.pulling;
    if (idle) this.stopWaiters.wakeAll(undefined);
    this.consumers.wakeAll(undefined);
    const collector = this.collector;
    if (collector === undefined || !idle) return;
    if (this.error !== undefined) {
      this.collector = undefined;
      this.pool.forgetRun(this);
      collector.reject(this.error.reason);
    } else if (this.sourceDone) {
      this.collector = undefined;
      this.pool.forgetRun(this);
      collector.resolve(this.output);
    }
  }
}

/** One running item of a run: follows its task, linked with the run's other running items. */
class Item implements TaskDoneListener {
  prev: Item | null = null;
  next: Item | null = null;
  constructor(
    private readonly run: MapRun<unknown, unknown>,
    readonly task: Task<unknown>,
    readonly index: number,
  ) {}

  taskDone(): void {
    this.run.itemDone(this);
  }
}

/** A run's place in the pool's queue. */
class RunClaim extends SlotClaim {
  constructor(private readonly run: { grant(): void }) {
    super();
  }

  grant(): void {
    this.run.grant();
  }
}

/** `map`'s wait: a kill of the calling task stops the run, which then rejects with the kill reason. */
class CollectWaiter extends Waiter<unknown[]> {
  constructor(private readonly run: PoolRun) {
    super();
  }

  override interrupt(reason: unknown): void {
    this.run.fail(reason);
  }
}

/** @internal Closes an input (`return()`) that is no longer read, ignoring its failure to close. */
export function closeQuietly(source: Iterator<unknown> | AsyncIterator<unknown>): void {
  try {
    const closing = source.return?.();
    if (closing !== undefined && typeof (closing as Promise<unknown>).then === 'function')
      (closing as Promise<unknown>).then(undefined, ignore);
  } catch {
    // An input that fails to close has nothing left to give; the run is ending anyway.
  }
}

function ignore(): void {}

function neverTimesOut(): never {
  throw new Error('unreachable: this wait has no timeout');
}
