/**
 * `PriorityQueue` — smallest first, stable for equal priorities (Python's
 * `queue.PriorityQueue`).
 * @module
 */
import { describe } from '../core/options.js';
import { Queue } from './queue.js';

/** Orders two items: negative when `a` comes out first, positive when `b` does, 0 when equal. */
export type Compare<T> = (a: T, b: T) => number;

/**
 * A queue that hands out the smallest item first (a binary heap). Items that compare
 * equal come out in the order they were put. Without a comparator, items are ordered
 * like Python orders them: numbers, bigints and strings by `<`, arrays (Python's tuples,
 * e.g. `[priority, data]`) element by element.
 *
 * @example
 * ```ts
 * const jobs = new PriorityQueue<[number, string]>();
 * jobs.putNowait([2, 'later']); jobs.putNowait([1, 'first']);
 * jobs.getNowait(); // [1, 'first']
 * const byDeadline = new PriorityQueue<Job>(0, (a, b) => a.deadline - b.deadline);
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  private readonly heap: Entry<T>[] = [];
  private sequence = 0;
  /** Sequence numbers of items given back: below every other, so they come out first among equals. */
  private givenBack = 0;
  /** Scratch space for retrieve()'s sift-down path. */
  private readonly siftPath: number[] = [];
  private readonly compare: Compare<T>;

  constructor(maxsize = 0, compare: Compare<T> = naturalOrder) {
    super(maxsize);
    if (typeof compare !== 'function') {
      throw new TypeError(
        `PriorityQueue(maxsize, compare): compare must be a function, got ${describe(compare)}`,
      );
    }
    this.compare = compare;
  }

  protected override size(): number {
    return this.heap.length;
  }

  protected override store(item: T): void {
    this.insert(item, this.sequence++);
  }

  /** An item given back came out ahead of every equal one still in: it goes ahead of them again. */
  protected override restore(item: T): void {
    this.insert(item, --this.givenBack);
  }

  private insert(item: T, seq: number): void {
    const heap = this.heap;
    // An item that cannot be ordered must fail before the heap changes.
    if (heap.length > 0) this.compare(item, heap[0]!.item);
    const entry: Entry<T> = { item, seq };
    // Find the slot with every comparison done first: a compare that throws halfway up the
    // path must leave the heap as it was, not with a parent copied twice and the item lost.
    let slot = heap.length;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.before(entry, heap[parent]!)) break;
      slot = parent;
    }
    let i = heap.length;
    heap.push(entry);
    while (i > slot) {
      const parent = (i - 1) >> 1;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  protected override retrieve(): T {
    const heap = this.heap;
    const n = heap.length - 1; // size once the top is out
    const last = heap[n]!;
    // As in store(): every comparison first, so one that throws leaves the heap unchanged.
    const path = this.siftPath;
    path.length = 0;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, last)) break;
      path.push(child);
      i = child;
    }
    const top = heap[0]!;
    heap.pop();
    if (n > 0) {
      let i = 0;
      for (const child of path) {
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top.item;
  }

  private before(a: Entry<T>, b: Entry<T>): boolean {
    const order = this.compare(a.item, b.item);
    return order < 0 || (order === 0 && a.seq < b.seq);
  }
}

interface Entry<T> {
  item: T;
  seq: number;
}

/** Python's ordering for the values it can compare: numbers, bigints, strings, and arrays lexicographically. */
export function naturalOrder(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const order = naturalOrder(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  const ta = typeof a;
  const tb = typeof b;
  const comparable = (t: string) => t === 'number' || t === 'bigint' || t === 'string';
  if (!comparable(ta) || !comparable(tb) || (ta === 'string') !== (tb === 'string')) {
    throw new TypeError(
      `PriorityQueue: cannot order ${describe(a)} and ${describe(b)} without a comparator; pass compare to the constructor or put [priority, item] arrays`,
    );
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}
