/**
 * A FIFO in two stacks, for the minimal peers: O(1) amortized, because `Array#shift`
 * falls off V8's fast path once an array holds more than about 100 elements.
 */
export class Fifo<T> {
  private incoming: T[] = [];
  private outgoing: T[] = [];

  get length(): number {
    return this.incoming.length + this.outgoing.length;
  }

  push(value: T): void {
    this.incoming.push(value);
  }

  /** The oldest value, removed; `undefined` when empty. */
  shift(): T | undefined {
    if (this.outgoing.length === 0) {
      if (this.incoming.length === 0) return undefined;
      this.outgoing = this.incoming.reverse();
      this.incoming = [];
    }
    return this.outgoing.pop();
  }
}
