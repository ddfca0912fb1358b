/**
 * `select` — wait on several queues and take from the first that has an item (the
 * Cookbook's "polling multiple thread queues", without the sockets).
 * @module
 */
import { describe, invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { Waiter } from '../core/waiter.js';
import { QueueEmpty, QueueShutDown } from '../errors.js';
import { GETTERS } from './getters.js';
import { Queue } from './queue.js';

/** What `select` took: the item, and the queue it came from. */
export interface Selected<T> {
  queue: Queue<T>;
  item: T;
}

/**
 * Waits until any of `queues` has an item and takes exactly one, from the first queue
 * (in the order given) that has one now, or else from whichever receives one first. Rejects
 * with `QueueEmpty` on timeout, `QueueShutDown` once every queue is shut down and drained,
 * or the signal's reason when aborted — in each case taking nothing.
 *
 * @example
 * ```ts
 * const { queue, item } = await select([orders, cancellations], { timeout: 1000 });
 * if (queue === cancellations) cancel(item); else fill(item);
 * ```
 */
export async function select<T>(
  queues: Iterable<Queue<T>>,
  opts?: WaitOptions,
): Promise<Selected<T>> {
  const err = invalidWaitOptions(opts, 'select');
  if (err) throw err;
  const list = [...queues];
  if (list.length === 0) throw new TypeError('select(queues): give at least one queue');
  list.forEach((queue, i) => {
    if (!(queue instanceof Queue)) {
      throw new TypeError(
        `select(queues): queues[${i}] must be a weft Queue, got ${describe(queue)}`,
      );
    }
  });
  if (opts?.signal?.aborted) throw opts.signal.reason;
  for (const queue of list) {
    if (!queue.empty()) return { queue, item: queue.getNowait() };
  }
  const open = list.filter((queue) => !queue.shutDown);
  if (open.length === 0) throw new QueueShutDown('select(): every queue is shut down and empty');
  const group = new SelectWaiter<T>();
  for (const queue of new Set(open)) group.branches.push(new Branch(group, queue));
  return group.parkBranches(opts);
}

/** The one settle-once wait of a select; its branches are parked as getters on each queue. */
class SelectWaiter<T> extends Waiter<Selected<T>> {
  readonly branches: Branch<T>[] = [];

  parkBranches(opts: WaitOptions | undefined): Promise<Selected<T>> {
    const promise = this.park(null, opts, selectTimedOut);
    // Branches are linked after parking so an immediate settle (aborted signal, timeout 0) links nothing.
    if (!this.settled) for (const branch of this.branches) branch.source[GETTERS].push(branch);
    return promise;
  }

  /** Settling the group unparks every branch at once, so no other queue can hand it an item. */
  protected override finish(): void {
    super.finish();
    for (const branch of this.branches) branch.source[GETTERS].remove(branch);
  }

  /** A queue shut down under one branch: the select fails only when no queue is left. */
  branchShutDown(branch: Branch<T>, reason: unknown): void {
    this.branches.splice(this.branches.indexOf(branch), 1);
    if (this.branches.length === 0) this.reject(reason);
  }
}

/** A getter parked on one queue on behalf of a select. */
class Branch<T> extends Waiter<T> {
  constructor(
    private readonly group: SelectWaiter<T>,
    readonly source: Queue<T>,
  ) {
    super();
  }

  override resolve(item: T): boolean {
    return this.group.resolve({ queue: this.source, item });
  }

  override reject(reason: unknown): boolean {
    if (this.group.settled) return false;
    this.group.branchShutDown(this, reason);
    return true;
  }
}

function selectTimedOut(): never {
  throw new QueueEmpty('select(): no item on any queue within the timeout');
}
