/**
 * `LifoQueue` — last in, first out (Python's `queue.LifoQueue`).
 * @module
 */
import { Queue } from './queue.js';

/**
 * A stack with the whole `Queue` interface: the most recently put item comes out first.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1); stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  private readonly stack: T[] = [];

  protected override size(): number {
    return this.stack.length;
  }

  protected override store(item: T): void {
    this.stack.push(item);
  }

  /** The top of the stack is where it came out. */
  protected override restore(item: T): void {
    this.stack.push(item);
  }

  protected override retrieve(): T {
    return this.stack.pop() as T;
  }
}
