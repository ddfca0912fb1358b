/**
 * The input of `weft map`: a stream of lines (stdin or a file), taken a chunk at a time.
 * Lines are numbered from 1 as they stand in the input; blank lines (only white space)
 * are passed over but keep their numbers, and a `--resume` run passes over the lines it
 * already did. A `\r` before the newline is dropped.
 * @module
 */
import type { Readable } from 'node:stream';
import type { LineChunk } from './map-chunk.js';

/** Whether to pass over a (non-blank) line: its number and its index among the non-blank lines. */
export type SkipLine = (line: number, index: number) => boolean;

/** Most characters of text in one chunk (unless a single line is longer). */
const MAX_CHUNK_CHARS = 1 << 20;
const BLANK = /^\s*$/;

/** Lines of a readable stream, read as they are asked for. */
export class LineInput {
  /** Lines read so far, by their number in the input. */
  lineCount = 0;
  /** Lines passed over without work: blank ones and those `skip` named. */
  passed = 0;
  private nonBlank = 0;
  private lines: string[] = [];
  private at = 0;
  private tail = '';
  private ended = false;
  private readonly chunks: AsyncIterator<string>;

  constructor(
    private readonly stream: Readable,
    private readonly skip?: SkipLine,
  ) {
    stream.setEncoding('utf8');
    this.chunks = stream[Symbol.asyncIterator]();
  }

  /**
   * The next lines to work on, at most `max` (fewer when no more have arrived yet and
   * some are at hand); `null` at the end of the input.
   */
  async take(max: number): Promise<LineChunk | null> {
    const numbers: number[] = [];
    const lines: string[] = [];
    let chars = 0;
    while (lines.length < max && chars < MAX_CHUNK_CHARS) {
      if (this.at === this.lines.length) {
        // Do not hold back lines at hand while a slow writer (a terminal, a pipe) types more.
        if (lines.length > 0 && this.stream.readableLength === 0) break;
        if (!(await this.refill())) break;
        continue;
      }
      let text = this.lines[this.at++]!;
      const line = ++this.lineCount;
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (BLANK.test(text) || this.skip?.(line, this.nonBlank++)) {
        this.passed++;
        continue;
      }
      numbers.push(line);
      lines.push(text);
      chars += text.length;
    }
    return lines.length > 0 ? { numbers, lines } : null;
  }

  /** Stops reading: the stream is released (stdin too, so it no longer keeps the process alive). */
  close(): void {
    this.ended = true;
    this.stream.destroy();
  }

  private async refill(): Promise<boolean> {
    if (this.ended) return false;
    let next: IteratorResult<string>;
    try {
      next = await this.chunks.next();
    } catch (err) {
      // Closed while a read was waiting: that is the end, not a failure.
      if (this.ended) return false;
      throw err;
    }
    // Closed while the read was waiting: whatever came is not worked on.
    if (this.ended) return false;
    const { value, done } = next;
    this.at = 0;
    if (done) {
      this.ended = true;
      this.lines = this.tail === '' ? [] : [this.tail];
      this.tail = '';
      return this.lines.length > 0;
    }
    const parts = (this.tail + value).split('\n');
    this.tail = parts.pop()!;
    this.lines = parts;
    return true;
  }
}
