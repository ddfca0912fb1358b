// Types and helpers shared by the parts of the queue contract suite (queue-contract.ts).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import type { WaitOptions } from '../../src/index.js';

/** A value now, or later: remote queues (process proxy, Redis) answer their sync-looking calls asynchronously. */
export type MaybePromise<X> = X | Promise<X>;

/**
 * What every queue implementation offers, whatever scope it lives in. The suite `await`s every
 * call, so an implementation whose `putNowait`/`qsize`/... return promises runs it unchanged.
 */
export interface QueueLike<T> extends AsyncIterable<T> {
  readonly maxsize: number;
  readonly shutDown: boolean;
  put(item: T, opts?: WaitOptions): Promise<void>;
  putNowait(item: T): MaybePromise<void>;
  get(opts?: WaitOptions): Promise<T>;
  getNowait(): MaybePromise<T>;
  qsize(): MaybePromise<number>;
  empty(): MaybePromise<boolean>;
  full(): MaybePromise<boolean>;
  taskDone(): MaybePromise<void>;
  join(opts?: WaitOptions): Promise<boolean>;
  shutdown(immediate?: boolean): MaybePromise<void>;
}

/** One queue implementation the contract runs against. */
export interface QueueImpl {
  name: string;
  /** The order in which stored items come out. */
  order: 'fifo' | 'lifo' | 'priority';
  /** Whether `maxsize` is supported; unbounded implementations skip the bounded behaviours. */
  bounded: boolean;
  create<T>(maxsize?: number): Promise<{ queue: QueueLike<T>; close(): Promise<void> }>;
}

/** Time after which a call that should block is still expected to be pending. */
export const BLOCK_MS = 10;
/** A timeout short enough to keep the suite fast, long enough to be a real wait. */
export const SHORT_TIMEOUT_MS = 15;
/** Per-test limit, so a wait that never ends fails the test instead of hanging the run. */
export const TEST_OPTIONS = { timeout: 5_000 } as const;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise whose outcome can be inspected without awaiting it (and whose rejection is always handled). */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  state: 'pending' | 'fulfilled' | 'rejected';
  value: T | undefined;
  reason: unknown;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { promise, state: 'pending', value: undefined, reason: undefined };
  promise.then(
    (value) => {
      tracked.state = 'fulfilled';
      tracked.value = value;
    },
    (reason: unknown) => {
      tracked.state = 'rejected';
      tracked.reason = reason;
    },
  );
  return tracked;
}

/** Asserts that `tracked` is still pending after the event loop had `ms` to settle it. */
export async function assertBlocks(tracked: Tracked<unknown>, what: string, ms = BLOCK_MS) {
  await sleep(ms);
  assert.equal(tracked.state, 'pending', `${what} should still be waiting`);
}

/** Awaits every tracked promise, fulfilled or not, so that their outcomes can be read. */
export async function settleAll(tracked: Tracked<unknown>[]): Promise<void> {
  await Promise.allSettled(tracked.map((t) => t.promise));
}

/** Creates a queue, runs `body`, and closes the queue whatever happens. */
export async function withQueue<T>(
  impl: QueueImpl,
  maxsize: number | undefined,
  body: (queue: QueueLike<T>) => Promise<void>,
): Promise<void> {
  const { queue, close } = await impl.create<T>(maxsize);
  try {
    await body(queue);
  } finally {
    await close();
  }
}

/** Takes every item left, without waiting. */
export async function drain<T>(queue: QueueLike<T>): Promise<T[]> {
  const items: T[] = [];
  while (!(await queue.empty())) items.push(await queue.getNowait());
  return items;
}

/** The order in which `puts`, stored in that order with nobody waiting, come out of a queue of `order`. */
export function expectedOrder(order: QueueImpl['order'], puts: readonly number[]): number[] {
  if (order === 'fifo') return [...puts];
  if (order === 'lifo') return [...puts].reverse();
  return [...puts].sort((a, b) => a - b);
}

export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** An error used as an abort reason, recognisable by identity. */
export class Cancelled extends Error {
  override name = 'Cancelled';
}
