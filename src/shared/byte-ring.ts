/**
 * The ring of bytes a `SharedQueue` keeps its items in: records of a 4-byte length and the
 * item's serialized bytes (padded to 4), written at the tail and read at the head. A record
 * never wraps: one that does not fit before the end starts again at 0, and the end's rest
 * is skipped (marked when there is room for a mark). The words that say where head and tail
 * are live with the queue's other words; every function here runs under the queue's mutex.
 * @module
 */

/** Where the ring's bookkeeping sits in the queue's words. */
export interface RingWords {
  readonly head: number;
  readonly tail: number;
  readonly count: number;
}

const WRAP = -1;
const LENGTH_BYTES = 4;

/** The bytes a record of `length` bytes takes, with its length and padding. */
export function recordBytes(length: number): number {
  return LENGTH_BYTES + ((length + 3) & ~3);
}

/** The largest item a ring of `capacity` bytes can ever hold. */
export function largestItem(capacity: number): number {
  return capacity - LENGTH_BYTES;
}

/** A ring over `bytes` (its length a multiple of 4) whose head, tail and count are in `words`. */
export class ByteRing {
  private readonly lengths: Int32Array;

  constructor(
    private readonly words: Int32Array,
    private readonly at: RingWords,
    private readonly bytes: Uint8Array,
  ) {
    this.lengths = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  }

  /** Where a record of `length` bytes would start, or -1 when there is no room for it now. */
  private placeFor(length: number): number {
    const words = this.words;
    const need = recordBytes(length);
    const capacity = this.bytes.byteLength;
    if (words[this.at.count] === 0) return need <= capacity ? 0 : -1;
    const head = words[this.at.head]!;
    const tail = words[this.at.tail]!;
    // Not wrapped (the items lie in [head, tail)): after the tail, else from 0 up to the head.
    if (tail > head) {
      if (capacity - tail >= need) return tail;
      return need <= head ? 0 : -1;
    }
    // Wrapped (the items lie in [head, end) and [0, tail)): only between tail and head.
    return head - tail >= need ? tail : -1;
  }

  /** Whether an item of `length` bytes fits now. */
  fits(length: number): boolean {
    return this.placeFor(length) >= 0;
  }

  /** Writes an item's bytes (`fits` said yes) and counts it. */
  write(item: Uint8Array): void {
    const words = this.words;
    const start = this.placeFor(item.byteLength);
    if (start < 0) throw new Error('ByteRing.write: no room (check fits first)');
    const tail = words[this.at.tail]!;
    if (start === 0 && words[this.at.count] !== 0 && tail + LENGTH_BYTES <= this.bytes.byteLength) {
      this.lengths[tail >> 2] = WRAP;
    }
    this.lengths[start >> 2] = item.byteLength;
    this.bytes.set(item, start + LENGTH_BYTES);
    words[this.at.tail] = start + recordBytes(item.byteLength);
    words[this.at.count]!++;
  }

  /** Reads and removes the oldest item (the ring is not empty): a copy of its bytes. */
  read(): Uint8Array {
    const words = this.words;
    let head = words[this.at.head]!;
    if (head + LENGTH_BYTES > this.bytes.byteLength || this.lengths[head >> 2] === WRAP) head = 0;
    const length = this.lengths[head >> 2]!;
    const item = this.bytes.slice(head + LENGTH_BYTES, head + LENGTH_BYTES + length);
    const count = words[this.at.count]! - 1;
    words[this.at.count] = count;
    if (count === 0) {
      words[this.at.head] = 0;
      words[this.at.tail] = 0;
    } else {
      words[this.at.head] = head + recordBytes(length);
    }
    return item;
  }

  /** Drops every item; returns how many there were. */
  clear(): number {
    const words = this.words;
    const count = words[this.at.count]!;
    words[this.at.count] = 0;
    words[this.at.head] = 0;
    words[this.at.tail] = 0;
    return count;
  }
}
