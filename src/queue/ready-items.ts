/**
 * The items a queue handle fetched ahead that arrived and that its consumer's code has not
 * taken yet (queue-prefetch.ts): held in the queue's order with the receipts of the answers
 * they came in, so that each one taken is confirmed to the owner and the rest can go back.
 * @module
 */
import type { HandleLink } from '../remote/handle.js';
import { Deque } from './deque.js';

/** The items of one answer, taken from `next` on. */
interface Batch {
  readonly items: unknown[];
  readonly receipt: number;
  /** The answer of a call for one item (kept whole), or a batch fetched ahead (kept piece by piece). */
  readonly whole: boolean;
  next: number;
}

/** Items that arrived for a handle's consumer, in order, until taken or given back. */
export class ReadyItems {
  private readonly batches = new Deque<Batch>();
  /** How many items are held. */
  count = 0;

  constructor(private readonly link: HandleLink) {}

  /** The items of answer `receipt` arrived (after every item held). */
  add(items: unknown[], receipt: number, whole: boolean): void {
    this.batches.push({ items, receipt, whole, next: 0 });
    this.count += items.length;
  }

  /** The next item, taken by the consumer's code (only while `count > 0`): the owner forgets it. */
  take(): unknown {
    const batch = this.batches.peek()!;
    const item = batch.items[batch.next];
    batch.items[batch.next] = undefined;
    batch.next++;
    this.count--;
    if (batch.whole) this.link.keep(batch.receipt);
    else this.link.keep(batch.receipt, 1);
    if (batch.next === batch.items.length) this.batches.shift();
    return item;
  }

  /** The next item, left in place (only while `count > 0`). */
  peek(): unknown {
    const batch = this.batches.peek()!;
    return batch.items[batch.next];
  }

  /** Gives answer `receipt` back at once if it is the last one held and nothing of it was taken. */
  giveBackLast(receipt: number): void {
    const last = this.batches.pop();
    if (last === undefined) return;
    if (last.receipt === receipt && last.next === 0) {
      this.count -= last.items.length;
      this.link.giveBack([receipt]);
    } else this.batches.push(last);
  }

  /** Gives back every item held to the owner, which puts them back in front, in order. */
  giveBackAll(): void {
    if (this.count === 0) return;
    const receipts: number[] = [];
    for (let batch = this.batches.shift(); batch !== undefined; batch = this.batches.shift()) {
      receipts.push(batch.receipt);
    }
    this.count = 0;
    this.link.giveBack(receipts);
  }

  /** Forgets every item held: the owner took them back already (the handle let go). */
  drop(): void {
    while (this.batches.shift() !== undefined) {}
    this.count = 0;
  }
}
