/**
 * The output of `weft map`: whole lines, gathered and written in large pieces (one write
 * per event-loop turn or per 64 KiB), to stdout or to a file. Only whole lines are ever
 * handed to a write, so a run stopped between two writes leaves a file that ends at a
 * line's end — what `--resume` counts on.
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

const FLUSH_AT = 64 * 1024;

/** Where the lines go. */
export abstract class LineOutput {
  private pending: string[] = [];
  private size = 0;
  private scheduled = false;

  /** Adds `text` (whole lines, each ending in `\n`) to what will be written. */
  write(text: string): void {
    if (text === '') return;
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes what is pending now. */
  flush(): void {
    if (this.size === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.size = 0;
    this.put(text);
  }

  /** Resolves when the destination has room again (at once for a file). */
  abstract ready(): Promise<void>;
  /** Writes what is pending and resolves once it is out; the output is then closed. */
  abstract close(): Promise<void>;
  protected abstract put(text: string): void;
}

/** Lines to a file, written synchronously: each write is on disk before the next line is made. */
export class FileOutput extends LineOutput {
  private readonly fd: number;

  /** `append`: add to the file (`--resume`); otherwise it is emptied first. */
  constructor(path: string, append: boolean) {
    super();
    this.fd = openSync(path, append ? 'a' : 'w');
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.flush();
    closeSync(this.fd);
  }

  protected put(text: string): void {
    let buffer = Buffer.from(text);
    while (buffer.length > 0) buffer = buffer.subarray(writeSync(this.fd, buffer));
  }
}

/** Lines to a stream (stdout), honouring its backpressure. */
export class StreamOutput extends LineOutput {
  private drained: Promise<void> | null = null;

  constructor(private readonly stream: Writable) {
    super();
  }

  ready(): Promise<void> {
    return this.drained ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }

  protected put(text: string): void {
    if (this.stream.write(text) || this.drained !== null) return;
    this.drained = new Promise((resolve) =>
      this.stream.once('drain', () => {
        this.drained = null;
        resolve();
      }),
    );
  }
}
