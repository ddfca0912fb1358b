/**
 * The iteration `imap` and `imapUnordered` return: the executor's map, read through a buffer
 * so that the pool can take over the reading when it closes.
 * @module
 */
import type { ExecutorMap } from '../executor/executor-map.js';
import { Deque } from '../queue/deque.js';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * @internal One `imap`/`imapUnordered` call. Its input is pulled as the consumer reads; once
 * the pool is closed, `drain()` reads the rest into the buffer, so that all of the input
 * still runs (as Python's pool runs every task submitted before `close()`) and the pool can
 * then shut its workers down. The consumer reads the buffer afterwards.
 */
export class PoolIterator<R> implements AsyncIterableIterator<R> {
  private readonly buffer = new Deque<R>();
  /** The one read of the map in progress: the consumer and `drain()` share it, so order holds. */
  private reading: Promise<void> | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly map: ExecutorMap<R>,
    /** Told once, when the iteration has nothing more to read from the map. */
    private readonly onEnd: () => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<R, undefined>> {
    while (this.buffer.length === 0 && !this.ended) await this.read();
    if (this.buffer.length > 0) return { done: false, value: this.buffer.shift() as R };
    const failure = this.failure;
    if (failure !== null) {
      this.failure = null;
      throw failure.error;
    }
    return DONE;
  }

  /** Leaving the loop early: the tasks that have not started are cancelled. */
  async return(): Promise<IteratorResult<R, undefined>> {
    this.end(null);
    while (this.buffer.length > 0) this.buffer.shift();
    await this.map.return();
    return DONE;
  }

  /** Reads every remaining result into the buffer (the pool was closed). */
  async drain(): Promise<void> {
    while (!this.ended) await this.read();
  }

  /** Ends the iteration with `error` after the results already read (the pool was terminated). */
  fail(error: unknown): void {
    if (this.ended) return;
    this.end({ error });
    void this.map.return();
  }

  private read(): Promise<void> {
    this.reading ??= this.map.next().then(
      (result) => {
        this.reading = null;
        if (this.ended) return;
        if (result.done) this.end(null);
        else this.buffer.push(result.value);
      },
      (error: unknown) => {
        this.reading = null;
        this.end({ error });
      },
    );
    return this.reading;
  }

  private end(failure: { error: unknown } | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.onEnd();
  }
}
