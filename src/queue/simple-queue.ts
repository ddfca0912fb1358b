/**
 * `SimpleQueue` — an unbounded FIFO queue (Python's `queue.SimpleQueue`).
 * @module
 */
import { Queue } from './queue.js';

/**
 * An unbounded FIFO queue: `put` never waits. It shares `Queue`'s implementation, so it
 * also has `taskDone`/`join`/`shutdown` (a superset of Python's `SimpleQueue`).
 * Its constructor takes no bound.
 *
 * @example
 * ```ts
 * const q = new SimpleQueue<string>();
 * q.putNowait('x');
 * await q.get(); // 'x'
 * ```
 */
export class SimpleQueue<T> extends Queue<T> {
  constructor() {
    super(0);
  }
}
