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

/**
 * Any weft queue, whatever its item type. `Queue<T>` is invariant in `T` (it takes items
 * and gives them back), so only `Queue<any>` is a supertype of every queue.
 */
// biome-ignore lint/suspicious/noExplicitAny: the one type every Queue<T> is assignable to.
export type AnyQueue = Queue<any>;

/** The type of the items of queue type `Q` (`ItemOf<LifoQueue<Job>>` is `Job`). */
export type ItemOf<Q extends AnyQueue> = Q extends Queue<infer T> ? T : never;

/** What `select` took: the item, and the queue it came from. */
export interface Selected<T, Q extends Queue<T> = Queue<T>> {
  queue: Q;
  item: T;
}

/**
 * What `select` over queues of type `Q` takes: over queues of several types (`Q` a union)
 * a union with one `Selected` per queue type, which `cameFrom` narrows.
 */
export type SelectedFrom<Q extends AnyQueue> = Q extends AnyQueue ? Selected<ItemOf<Q>, Q> : never;

/**
 * Waits until any of `queues` has an item and takes exactly one, from the first queue
 * (in the order given) that has one now, or else from whichever receives one first. Rejects
 * with `QueueEmpty` on timeout, `QueueShutDown` once every queue is shut down and drained,
 * or the signal's reason when aborted — in each case taking nothing.
 *
 * The queues may hold different item types: the result is then a union, one member per
 * queue type, narrowed by `cameFrom(selected, queue)`.
 *
 * @example
 * ```ts
 * const { queue, item } = await select([orders, cancellations], { timeout: 1000 });
 * if (queue === cancellations) cancel(item); else fill(item);
 *
 * const taken = await select([numbers, strings]); // Queue<number>, Queue<string>
 * if (cameFrom(taken, numbers)) taken.item.toFixed(2); // item: number
 * else taken.item.toUpperCase(); // item: string
 * ```
 */
export async function select<Q extends AnyQueue>(
  queues: Iterable<Q>,
  opts?: WaitOptions,
): Promise<SelectedFrom<Q>>;
export async function select(
  queues: Iterable<AnyQueue>,
  opts?: WaitOptions,
): Promise<Selected<unknown>> {
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
  const group = new SelectWaiter<unknown>();
  for (const queue of new Set(open)) group.branches.push(new Branch(group, queue));
  return group.parkBranches(opts);
}

/**
 * Whether `selected` came from `queue`, narrowing it (and so its `item`) to that queue's
 * member of the union. `selected.queue === queue` says the same at run time, but TypeScript
 * narrows a union only on literal-typed properties, never on an object's identity.
 *
 * @example
 * ```ts
 * const taken = await select([numbers, strings]);
 * if (cameFrom(taken, numbers)) total += taken.item; // item: number
 * ```
 */
export function cameFrom<S extends SelectedFrom<AnyQueue>, Q extends S['queue']>(
  selected: S,
  queue: Q,
): selected is Extract<S, { queue: Q }> {
  return selected.queue === queue;
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
