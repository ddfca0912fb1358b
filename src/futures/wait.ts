/**
 * `asCompleted` and `wait` — following several futures at once (Python's
 * `concurrent.futures.as_completed` and `wait`).
 * @module
 */
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, WaiterQueue } from '../core/waiter.js';
import { TimeoutError } from '../errors.js';
import { Deque } from '../queue/deque.js';
import { Future, type FutureDoneListener } from './future.js';

/**
 * Yields each future as it completes (finished or cancelled): those already done first,
 * then the others in the order they complete. A future given twice is yielded once. When
 * `timeout` (counted from the call) runs out with futures still pending, the iteration
 * throws weft's `TimeoutError`; an aborted `signal` throws its reason. Leaving the loop
 * early stops following the rest.
 *
 * @example
 * ```ts
 * const futures = urls.map((url) => executor.submit(download, url));
 * for await (const future of asCompleted(futures, { timeout: 10_000 })) {
 *   console.log(await future.result());
 * }
 * ```
 */
export function asCompleted<T>(
  futures: Iterable<Future<T>>,
  opts?: WaitOptions,
): AsyncIterableIterator<CompletedFuture<T>> {
  return new Completions(checkFutures(futures, 'asCompleted', opts), opts);
}

/**
 * A future as `asCompleted` hands it out: the `Future` itself, typed without `then`.
 * TypeScript types each element of `for await` as awaited, so an awaitable element would
 * be typed as its value; read the outcome with `result()` / `exception()` instead.
 */
export type CompletedFuture<T> = Omit<Future<T>, 'then'>;

/**
 * The iterator behind `asCompleted`. Not an async generator on purpose: a Future is
 * awaitable, and both `yield` in an async generator and promise resolution would adopt
 * it — handing out its value instead of the future.
 */
class Completions<T> implements AsyncIterableIterator<Future<T>>, FutureDoneListener {
  private readonly completed = new Deque<Future<T>>();
  private readonly pending = new Set<Future<T>>();
  private readonly arrivals = new WaiterQueue<boolean>();
  private readonly deadline: number | undefined;
  private left: number;

  constructor(
    private readonly futures: Set<Future<T>>,
    private readonly opts: WaitOptions | undefined,
  ) {
    this.left = futures.size;
    this.deadline = opts?.timeout === undefined ? undefined : performance.now() + opts.timeout;
    for (const future of futures) {
      if (future.done()) this.completed.push(future);
      else this.pending.add(future);
    }
    for (const future of this.pending) future.addDoneListener(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Future<T>, undefined>> {
    if (this.left === 0) return { value: undefined, done: true };
    try {
      while (this.completed.length === 0) {
        const timeout =
          this.deadline === undefined ? undefined : Math.max(0, this.deadline - performance.now());
        if (!(await this.arrivals.wait({ timeout, signal: this.opts?.signal }, falseOnTimeout))) {
          throw new TimeoutError(
            `asCompleted(): ${this.left} (of ${this.futures.size}) futures unfinished after ${this.opts?.timeout} ms`,
          );
        }
      }
    } catch (error) {
      this.stop();
      throw error;
    }
    this.left--;
    return { value: this.completed.shift()!, done: false };
  }

  async return(): Promise<IteratorResult<Future<T>, undefined>> {
    this.stop();
    return { value: undefined, done: true };
  }

  /** @internal A followed future is done. */
  futureDone(future: Future<unknown>): void {
    this.pending.delete(future as Future<T>);
    this.completed.push(future as Future<T>);
    this.arrivals.wakeAll(true);
  }

  private stop(): void {
    this.left = 0;
    for (const future of this.pending) future.removeDoneListener(this);
    this.pending.clear();
  }
}

/** When `wait` returns. */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED';

/** Options of `wait`. */
export interface FuturesWaitOptions extends WaitOptions {
  /** `ALL_COMPLETED` (default), `FIRST_COMPLETED`, or `FIRST_EXCEPTION` (or all completed). */
  returnWhen?: ReturnWhen | undefined;
}

/** What `wait` found: the futures done, and those not done. */
export interface DoneAndNotDone<T> {
  done: Set<Future<T>>;
  notDone: Set<Future<T>>;
}

/**
 * Waits until the futures meet `returnWhen` or `timeout` runs out, and returns the done
 * and not-done ones (it never throws on timeout, as in Python). An aborted `signal` rejects
 * with its reason.
 *
 * @example
 * ```ts
 * const { done, notDone } = await wait(futures, { returnWhen: 'FIRST_EXCEPTION', timeout: 5000 });
 * for (const f of notDone) f.cancel();
 * ```
 */
export async function wait<T>(
  futures: Iterable<Future<T>>,
  opts: FuturesWaitOptions = {},
): Promise<DoneAndNotDone<T>> {
  const unique = checkFutures(futures, 'wait', opts);
  const returnWhen = opts.returnWhen ?? 'ALL_COMPLETED';
  if (
    returnWhen !== 'ALL_COMPLETED' &&
    returnWhen !== 'FIRST_COMPLETED' &&
    returnWhen !== 'FIRST_EXCEPTION'
  ) {
    throw new TypeError(
      `wait(): returnWhen must be 'ALL_COMPLETED', 'FIRST_COMPLETED' or 'FIRST_EXCEPTION', got ${describe(returnWhen)}`,
    );
  }
  const done = new Set<Future<T>>();
  const notDone = new Set<Future<T>>();
  for (const future of unique) (future.done() ? done : notDone).add(future);
  const satisfied = (): boolean =>
    notDone.size === 0 ||
    (returnWhen === 'FIRST_COMPLETED' && done.size > 0) ||
    (returnWhen === 'FIRST_EXCEPTION' && [...done].some((f) => f.hasException()));
  if (satisfied()) return { done, notDone };
  const completions = asCompleted(new Set(notDone), opts);
  try {
    // next() by hand: `for await` would be typed as awaiting each (awaitable) future.
    for (let step = await completions.next(); !step.done; step = await completions.next()) {
      notDone.delete(step.value as Future<T>);
      done.add(step.value as Future<T>);
      if (satisfied()) break;
    }
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
  } finally {
    await completions.return!();
  }
  return { done, notDone };
}

function checkFutures<T>(
  futures: Iterable<Future<T>>,
  where: string,
  opts: unknown,
): Set<Future<T>> {
  const invalid = invalidWaitOptions(opts, where);
  if (invalid) throw invalid;
  if (
    futures === null ||
    typeof (futures as Iterable<Future<T>>)?.[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(
      `${where}(futures): futures must be an iterable of Futures, got ${describe(futures)}`,
    );
  }
  const unique = new Set<Future<T>>();
  let i = 0;
  for (const future of futures) {
    if (!(future instanceof Future)) {
      throw new TypeError(
        `${where}(futures): futures[${i}] must be a weft Future, got ${describe(future)}`,
      );
    }
    unique.add(future);
    i++;
  }
  return unique;
}
