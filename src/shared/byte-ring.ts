/**
 * The ring of bytes a `SharedQueue` keeps its items in: records of a 4-byte header (the
 * payload's length and the item codec's tag) and the payload, padded to 4, written at the
 * tail and read at the head. A record never wraps: one that does not fit before the end
 * starts again at 0, and the end's rest is skipped (marked when there is room for a mark).
 * The words that say where head and tail are live with the queue's other words; every
 * function here runs under the queue's mutex.
 * @module
 */
import {
  type Prepared,
  payloadBytes,
  type RingViews,
  readPayload,
  type Tag,
  tagOf,
  writePayload,
} from './item-codec.js';

/** Where the ring's bookkeeping sits in the queue's words. */
export interface RingWords {
  readonly head: number;
  readonly tail: number;
  readonly count: number;
}

const WRAP = -1;
const HEADER_BYTES = 4;
const TAG_BITS = 3;
/** The largest payload a header can describe. */
export const LARGEST_PAYLOAD = 2 ** (31 - TAG_BITS) - 1;

/** The bytes a record of a `length`-byte payload takes, with its header and padding. */
function recordBytes(length: number): number {
  return HEADER_BYTES + ((length + 3) & ~3);
}

/** A ring over `buffer` (its length a multiple of 4) whose head, tail and count are in `words`. */
export class ByteRing {
  private readonly views: RingViews;
  private readonly capacity: number;
  /** The largest payload this ring can ever hold. */
  readonly largest: number;

  constructor(
    private readonly words: Int32Array,
    private readonly at: RingWords,
    buffer: SharedArrayBuffer,
  ) {
    this.capacity = buffer.byteLength;
    this.largest = Math.min(this.capacity - HEADER_BYTES, LARGEST_PAYLOAD);
    this.views = {
      bytes: new Uint8Array(buffer),
      words: new Int32Array(buffer),
      units: new Uint16Array(buffer),
    };
  }

  /** Where a record of a `length`-byte payload would start, or -1 when there is no room now. */
  private placeFor(length: number): number {
    const words = this.words;
    const need = recordBytes(length);
    if (words[this.at.count] === 0) return need <= this.capacity ? 0 : -1;
    const head = words[this.at.head]!;
    const tail = words[this.at.tail]!;
    // Not wrapped (the items lie in [head, tail)): after the tail, else from 0 up to the head.
    if (tail > head) {
      if (this.capacity - tail >= need) return tail;
      return need <= head ? 0 : -1;
    }
    // Wrapped (the items lie in [head, end) and [0, tail)): only between tail and head.
    return head - tail >= need ? tail : -1;
  }

  /** Writes `prepared` if there is room for it now; `false` if not. */
  write(prepared: Prepared): boolean {
    const tag: Tag = tagOf(prepared);
    const length = payloadBytes(prepared, tag);
    const start = this.placeFor(length);
    if (start < 0) return false;
    const words = this.words;
    const ring = this.views.words;
    const tail = words[this.at.tail]!;
    if (start === 0 && words[this.at.count] !== 0 && tail + HEADER_BYTES <= this.capacity) {
      ring[tail >> 2] = WRAP;
    }
    ring[start >> 2] = (length << TAG_BITS) | tag;
    writePayload(this.views, start + HEADER_BYTES, prepared, tag);
    words[this.at.tail] = start + recordBytes(length);
    words[this.at.count]!++;
    return true;
  }

  /** Reads and removes the oldest item (the ring is not empty): its value, or its V8 bytes. */
  read(): unknown {
    const words = this.words;
    const ring = this.views.words;
    let head = words[this.at.head]!;
    if (head + HEADER_BYTES > this.capacity || ring[head >> 2] === WRAP) head = 0;
    const header = ring[head >> 2]!;
    const length = header >>> TAG_BITS;
    const value = readPayload(this.views, head + HEADER_BYTES, length, (header & 7) as Tag);
    const count = words[this.at.count]! - 1;
    words[this.at.count] = count;
    if (count === 0) {
      words[this.at.head] = 0;
      words[this.at.tail] = 0;
    } else {
      words[this.at.head] = head + recordBytes(length);
    }
    return value;
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
