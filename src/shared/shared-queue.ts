/**
 * `SharedQueue` — a FIFO queue in shared memory, used from every thread at once with no
 * owner thread in between (Python's `queue.Queue` across real threads).
 * @module
 */
import { CROSS, type Crossed, type Destination } from '../codec/descriptor.js';
import { LOOK, type QueueLook, registerLive } from '../core/live-registry.js';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { QueueEmpty, QueueFull, QueueShutDown, RuntimeError } from '../errors.js';
import { untilShutDown } from '../queue/until-shut-down.js';
import { blockingTimeout, type SyncWaitOptions } from './blocking.js';
import { ByteRing } from './byte-ring.js';
import { finish, type Prepared, payloadBytes, prepare, tagOf } from './item-codec.js';
import { checkOptions, type SharedQueueOptions } from './shared-queue-options.js';
import { crossShared, registerShared, type SharedDescriptor } from './shared-transport.js';
import { TURN_WORDS } from './turn-list.js';
import { bump, NOT_YET, STATE, Turnstile, underMutex } from './turnstile.js';

const HEAD = STATE;
const TAIL = STATE + 1;
const COUNT = STATE + 2;
const UNFINISHED = STATE + 3;
const SHUT_DOWN = STATE + 4;
const MAXSIZE = STATE + 5;
/** Items ever put and ever got, from every thread (the dashboard's rates; they wrap at 2^32). */
const PUTS = STATE + 6;
const GETS = STATE + 7;
const GET_TURNS = STATE + 8;
const PUT_TURNS = GET_TURNS + TURN_WORDS;
const JOIN_TURNS = PUT_TURNS + TURN_WORDS;
const WORDS = JOIN_TURNS + TURN_WORDS;

/**
 * A FIFO queue in shared memory between threads: the whole `Queue` interface (`put`, `get`,
 * their `Nowait` forms, `qsize`, `taskDone`/`join`, `shutdown`, `for await`), and in worker
 * threads `putSync`/`getSync`, which block that thread only. Passed to a `Thread` or a
 * thread-pool task it arrives as a `SharedQueue` on the same memory. Items are copied in
 * with V8 serialization (what `structuredClone` copies), so what a thread gets is its own
 * copy; an item larger than the queue's bytes is a `RangeError` at `put`. The queue is
 * full when it holds `maxsize` items or its bytes have no room for the next one.
 * Getters (and putters) are served in FIFO order, across threads as within one.
 *
 * @example
 * ```ts
 * const q = new SharedQueue<number>({ maxsize: 100 });
 * const consumer = new Thread(sum, { args: [q] }).start(); // sum: for await (const n of q) total += n
 * for (let i = 0; i < 1000; i++) await q.put(i);
 * q.shutdown();
 * await consumer.join();
 * ```
 */
export class SharedQueue<T> implements AsyncIterable<T> {
  private readonly buffer: SharedArrayBuffer;
  private readonly data: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly ring: ByteRing;
  private readonly getters: Turnstile<unknown>;
  private readonly putters: Turnstile<void>;
  private readonly joiners: Turnstile<boolean>;
  /** The name given for the dashboard (only the thread that made the queue shows it). */
  private readonly name: string | null = null;

  constructor(options: SharedQueueOptions | number = {}, memory?: SharedDescriptor) {
    if (memory !== undefined) {
      this.buffer = memory.buffer;
      this.data = memory.extra!;
    } else {
      const { maxsize, bytes, name } = checkOptions(options);
      this.name = name;
      this.buffer = new SharedArrayBuffer(WORDS * 4);
      this.data = new SharedArrayBuffer(bytes);
      new Int32Array(this.buffer)[MAXSIZE] = maxsize;
    }
    const words = new Int32Array(this.buffer);
    this.words = words;
    const ring = new ByteRing(words, { head: HEAD, tail: TAIL, count: COUNT }, this.data);
    this.ring = ring;
    this.getters = new Turnstile<unknown>(words, GET_TURNS, {
      serve: (position) => {
        if (words[COUNT]! > position) {
          const item = ring.read();
          words[GETS]!++;
          // Only waiting putters care that room was made; with none, no wake-up to pay for.
          if (words[PUT_TURNS] !== 0) bump(words);
          return item;
        }
        if (words[SHUT_DOWN] !== 0) throw this.shutDownError('get');
        return NOT_YET;
      },
    });
    this.putters = new Turnstile<void>(words, PUT_TURNS, {
      serve: (position, item) => {
        if (words[SHUT_DOWN] !== 0) throw this.shutDownError('put');
        const maxsize = words[MAXSIZE]!;
        if (position !== 0 || (maxsize > 0 && words[COUNT]! >= maxsize)) return NOT_YET;
        if (!ring.write(item as Prepared)) return NOT_YET;
        words[UNFINISHED]!++;
        words[PUTS]!++;
        // Only waiting getters care that an item came (see the getters' serve).
        if (words[GET_TURNS] !== 0) bump(words);
        return undefined;
      },
    });
    this.joiners = new Turnstile<boolean>(words, JOIN_TURNS, {
      serve: () => (words[UNFINISHED] === 0 ? true : NOT_YET),
    });
    // A copy that crossed to this thread is shown by the thread that made the queue.
    if (memory === undefined) registerLive(this);
  }

  /** The bound on items (`0`: none but the bytes); may be changed at any time, from any thread. */
  get maxsize(): number {
    return Atomics.load(this.words, MAXSIZE);
  }

  set maxsize(value: number) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new TypeError(
        `SharedQueue.maxsize must be an integer >= 0 (0: no bound), got ${describe(value)}`,
      );
    }
    const words = this.words;
    underMutex(words, () => {
      words[MAXSIZE] = value;
      bump(words);
    });
    this.handOverHere();
  }

  /** Items in the queue now. */
  qsize(): number {
    return Atomics.load(this.words, COUNT);
  }

  /** Whether the queue holds no items. */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** Whether a bounded queue holds `maxsize` items (room in its bytes aside). */
  full(): boolean {
    const maxsize = this.maxsize;
    return maxsize > 0 && this.qsize() >= maxsize;
  }

  /** Whether `shutdown()` was called (in any thread). */
  get shutDown(): boolean {
    return Atomics.load(this.words, SHUT_DOWN) !== 0;
  }

  /**
   * Puts a copy of `item`, waiting for room. Rejects with `QueueFull` on timeout,
   * `QueueShutDown` if the queue is or gets shut down, `TypeError` for an item that cannot
   * be copied, `RangeError` for one larger than the queue's bytes, or the signal's reason —
   * in each case without adding it.
   */
  put(item: T, opts?: WaitOptions): Promise<void> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'SharedQueue.put()');
      if (refused) return refused;
    }
    if (this.words[SHUT_DOWN] !== 0) return Promise.reject(this.shutDownError('put'));
    let prepared: Prepared;
    try {
      prepared = this.encode(item, 'put');
      // The common case, room now: settled with a promise made once, nothing allocated.
      if (this.putters.length === 0 && this.putters.tryNow(prepared) !== NOT_YET) {
        this.handOverHere();
        return PUT_DONE;
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const put = this.putters.park(opts, this.putTimedOut, prepared);
    this.handOverHere();
    return put;
  }

  /** Puts a copy of `item` now, or throws `QueueFull` (`QueueShutDown`, `TypeError`, `RangeError`). */
  putNowait(item: T): void {
    if (this.words[SHUT_DOWN] !== 0) throw this.shutDownError('putNowait');
    const prepared = this.encode(item, 'putNowait');
    if (this.putters.tryNow(prepared) === NOT_YET) {
      throw new QueueFull(`SharedQueue.putNowait(): the queue is full (${this.roomSays()})`);
    }
    this.handOverHere();
  }

  /**
   * Blocks this worker thread until the item is in (or `timeout` ran out: `QueueFull`).
   * A `RuntimeError` on the main thread.
   */
  putSync(item: T, opts?: SyncWaitOptions): void {
    const timeout = blockingTimeout(opts, 'SharedQueue.putSync()');
    if (this.words[SHUT_DOWN] !== 0) throw this.shutDownError('putSync');
    const prepared = this.encode(item, 'putSync');
    if (this.putters.serveBlocking(prepared, timeout) === NOT_YET) {
      throw new QueueFull(
        `SharedQueue.putSync(): no room within ${timeout} ms (${this.roomSays()})`,
      );
    }
  }

  /**
   * Takes the oldest item, waiting for one. Rejects with `QueueEmpty` on timeout,
   * `QueueShutDown` once the queue is shut down and drained, or the signal's reason —
   * in each case taking nothing.
   */
  get(opts?: WaitOptions): Promise<T> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'SharedQueue.get()');
      if (refused) return refused;
    }
    if (this.getters.length === 0) {
      // The common case, an item there for the taking, settles with one promise, not two.
      let now: unknown;
      try {
        now = this.getters.tryNow();
        if (now !== NOT_YET) {
          this.handOverHere();
          return Promise.resolve(finish(now) as T);
        }
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.getters.park(opts, this.getTimedOut).then(finish) as Promise<T>;
  }

  /** Takes the oldest item now, or throws `QueueEmpty` (`QueueShutDown` once shut down and drained). */
  getNowait(): T {
    const item = this.getters.tryNow();
    if (item === NOT_YET) throw new QueueEmpty('SharedQueue.getNowait(): the queue is empty');
    this.handOverHere();
    return finish(item) as T;
  }

  /**
   * Blocks this worker thread until it has an item (or `timeout` ran out: `QueueEmpty`).
   * A `RuntimeError` on the main thread.
   */
  getSync(opts?: SyncWaitOptions): T {
    const timeout = blockingTimeout(opts, 'SharedQueue.getSync()');
    const item = this.getters.serveBlocking(undefined, timeout);
    if (item === NOT_YET) {
      throw new QueueEmpty(`SharedQueue.getSync(): no item within ${timeout} ms`);
    }
    return finish(item) as T;
  }

  /**
   * Marks one item taken by a get as fully processed; `join()` callers (in every thread)
   * wake when every item put has been. A `RuntimeError` when called more often than items were put.
   */
  taskDone(): void {
    const words = this.words;
    underMutex(words, () => {
      if (words[UNFINISHED]! <= 0) {
        throw new RuntimeError(
          'SharedQueue.taskDone() called more times than items were put; call it once per item you got',
        );
      }
      if (--words[UNFINISHED]! === 0) bump(words);
    });
    this.handOverHere();
  }

  /** Waits until every item ever put has been marked with `taskDone()`: `true`, or `false` on timeout. */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'SharedQueue.join()');
      if (refused) return refused;
    }
    return this.joiners.enqueue(opts, falseOnTimeout);
  }

  /**
   * Shuts the queue down for every thread (Python 3.13): puts throw `QueueShutDown`, gets
   * drain what is left, then throw it. With `immediate`, what is left is dropped and
   * counted as done, which releases `join()` once nothing else is unfinished.
   */
  shutdown(immediate = false): void {
    const words = this.words;
    underMutex(words, () => {
      // 2 says `immediate` to the dashboard; every other reader only asks for non-zero.
      words[SHUT_DOWN] = immediate ? 2 : Math.max(1, words[SHUT_DOWN]!);
      if (immediate) {
        const dropped = this.ring.clear();
        words[UNFINISHED] = Math.max(0, words[UNFINISHED]! - dropped);
      }
      bump(words);
    });
    this.handOverHere();
  }

  /** Yields items as they arrive; ends when the queue is shut down and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return untilShutDown(() => this.get());
  }

  /** The local dashboard's look (core/live-registry.ts). */
  [LOOK](): QueueLook {
    const words = this.words;
    const maxsize = this.maxsize;
    const shutDown = Atomics.load(words, SHUT_DOWN);
    return {
      kind: 'queue',
      type: 'SharedQueue',
      name: this.name,
      detail: maxsize > 0 ? `maxsize ${maxsize}` : `${this.data.byteLength} bytes`,
      waiting: this.qsize(),
      unfinished: Atomics.load(words, UNFINISHED),
      put: Atomics.load(words, PUTS) >>> 0,
      got: Atomics.load(words, GETS) >>> 0,
      shutDown: shutDown === 0 ? null : shutDown === 2 ? 'immediate' : 'graceful',
    };
  }

  [CROSS](to: Destination): Crossed {
    const info = { className: 'SharedQueue' };
    return crossShared(this, 'SharedQueue', info, this.buffer, to, this.data);
  }

  /**
   * After a change made in this thread: its own parked tasks see it at once (a getter gets
   * the item just put, as with a `Queue`), not a loop turn later through the sleeper.
   */
  private handOverHere(): void {
    if (this.getters.length > 0) this.getters.serveWaiting();
    if (this.putters.length > 0) this.putters.serveWaiting();
    if (this.joiners.length > 0) this.joiners.serveWaiting();
  }

  private encode(item: T, method: string): Prepared {
    let prepared: Prepared;
    try {
      prepared = prepare(item);
    } catch (err) {
      throw new TypeError(
        `SharedQueue.${method}(): the item cannot be copied into shared memory (${(err as Error).message}); put data (what structuredClone copies), not functions, symbols or handles`,
      );
    }
    const length = payloadBytes(prepared, tagOf(prepared));
    const largest = this.ring.largest;
    if (length > largest) {
      throw new RangeError(
        `SharedQueue.${method}(): the item takes ${length} bytes serialized, more than the queue's ${largest}; make the queue with a larger { bytes }`,
      );
    }
    return prepared;
  }

  private roomSays(): string {
    const maxsize = this.maxsize;
    return maxsize > 0 ? `maxsize ${maxsize}, or its bytes` : 'its bytes';
  }

  private readonly putTimedOut = (): never => {
    throw new QueueFull(`SharedQueue.put(): no room within the timeout (${this.roomSays()})`);
  };

  private readonly getTimedOut = (): never => {
    throw new QueueEmpty('SharedQueue.get(): no item within the timeout');
  };

  private shutDownError(method: string): QueueShutDown {
    return new QueueShutDown(`SharedQueue.${method}(): the queue is shut down`);
  }
}

const falseOnTimeout = (): boolean => false;
/** What every put that found room at once returns: settled, and never settled again. */
const PUT_DONE: Promise<void> = Promise.resolve();

registerShared('SharedQueue', (descriptor) => new SharedQueue({}, descriptor));
