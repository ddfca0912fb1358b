/**
 * `ChunkQueue` — the bytes a `LineReader` has received and not given out yet: the socket's
 * chunks as they came, taken from the front, each byte scanned for `\n` once.
 * @module
 */

const NEWLINE = 0x0a;

/** The empty read (end of input, or `n` = 0). */
export const EMPTY: Buffer = Buffer.alloc(0);

/** A queue of received chunks, read by lines or byte counts. */
export class ChunkQueue {
  /** Bytes held. */
  length = 0;
  private chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  /** How far (from the read position) no `\n` was found: no byte is scanned twice. */
  private scanned = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Drops everything held. */
  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.length = 0;
    this.scanned = 0;
  }

  /** Index of the first `\n` within `maxLength` bytes, counted from the read position, or -1. */
  indexOfNewline(maxLength: number): number {
    const limit = Math.min(this.length, maxLength);
    if (this.scanned >= limit) return -1;
    let base = 0;
    let start = this.offset;
    for (const chunk of this.chunks) {
      const size = chunk.length - start;
      if (base + size > this.scanned) {
        const from = start + Math.max(0, this.scanned - base);
        const to = Math.min(chunk.length, start + limit - base);
        if (from < to) {
          const at = chunk.indexOf(NEWLINE, from);
          if (at >= 0 && at < to) return base + at - start;
        }
      }
      base += size;
      start = 0;
      if (base >= limit) break;
    }
    this.scanned = limit;
    return -1;
  }

  /** Removes and returns the next `n` bytes (`n` at most `length`): the chunk itself, a view of it, or a copy when they straddle chunks. */
  take(n: number): Buffer {
    this.scanned = 0;
    if (n === 0) return EMPTY;
    this.length -= n;
    const first = this.chunks[0]!;
    if (this.offset === 0 && first.length === n) {
      // A request line that came alone: no view of it is made.
      this.chunks.shift();
      return first;
    }
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const copied = chunk.copy(
        out,
        filled,
        this.offset,
        Math.min(chunk.length, this.offset + n - filled),
      );
      filled += copied;
      this.advance(chunk, copied);
    }
    return out;
  }

  /** Moves the read position `n` bytes into `first`, dropping it once read through. */
  private advance(first: Buffer, n: number): void {
    this.offset += n;
    if (this.offset === first.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
