/**
 * The floor for the Queue benchmark: the smallest FIFO queue with an optional bound.
 * Items go straight to a waiting getter; a full queue parks putters in FIFO order.
 * No timeouts, no signals, no shutdown, no taskDone/join.
 */
import { Fifo } from './fifo.js';

const RESOLVED: Promise<void> = Promise.resolve();

export class MinimalQueue<T> {
  private readonly items = new Fifo<T>();
  private readonly getters = new Fifo<(item: T) => void>();
  private readonly putters = new Fifo<{ item: T; resolve: () => void }>();

  constructor(private readonly maxsize = 0) {}

  put(item: T): Promise<void> {
    const getter = this.getters.shift();
    if (getter !== undefined) getter(item);
    else if (this.maxsize <= 0 || this.items.length < this.maxsize) this.items.push(item);
    else return new Promise<void>((resolve) => this.putters.push({ item, resolve }));
    return RESOLVED;
  }

  get(): Promise<T> {
    if (this.items.length === 0) return new Promise<T>((resolve) => this.getters.push(resolve));
    const item = this.items.shift() as T;
    const putter = this.putters.shift();
    if (putter !== undefined) {
      this.items.push(putter.item);
      putter.resolve();
    }
    return Promise.resolve(item);
  }
}
