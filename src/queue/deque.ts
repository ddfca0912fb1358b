/**
 * A growable ring buffer: O(1) push/pop at both ends, no `Array.shift` copying.
 * @module
 */
export class Deque<T> {
  private buffer: (T | undefined)[] = new Array(16);
  private mask = 15;
  private head = 0;
  /** Number of items held. */
  length = 0;

  /** Appends at the back. */
  push(item: T): void {
    if (this.length > this.mask) this.grow();
    this.buffer[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** Inserts at the front. */
  unshift(item: T): void {
    if (this.length > this.mask) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buffer[this.head] = item;
    this.length++;
  }

  /** Removes from the front (`undefined` when empty). */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.buffer[this.head];
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** Removes from the back (`undefined` when empty). */
  pop(): T | undefined {
    if (this.length === 0) return undefined;
    this.length--;
    const index = (this.head + this.length) & this.mask;
    const item = this.buffer[index];
    this.buffer[index] = undefined;
    return item;
  }

  /** The item `index` places from the front (0: the front), without removing it; `undefined` past the back. */
  at(index: number): T | undefined {
    return index < 0 || index >= this.length
      ? undefined
      : this.buffer[(this.head + index) & this.mask];
  }

  /** The front item without removing it. */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.buffer[this.head];
  }

  private grow(): void {
    const old = this.buffer;
    const size = old.length;
    const next: (T | undefined)[] = new Array(size * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & this.mask];
    this.buffer = next;
    this.head = 0;
    this.mask = size * 2 - 1;
  }
}
