// Types and helpers shared by the parts of the queue contract suite (queue-contract.ts).
import type { WaitOptions } from '../../src/index.js';
import { type MaybePromise, TEST_OPTIONS } from '../support/async-helpers.js';

export {
  abortListeners,
  assertBlocks,
  Cancelled,
  type MaybePromise,
  settleAll,
  sleep,
  TEST_OPTIONS,
  type Tracked,
  track,
  until,
} from '../support/async-helpers.js';

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
  /** Each test's guard against a hang over this implementation (`TEST_OPTIONS` if not given). */
  hangGuard?: { readonly timeout: number };
}

/** Each test's guard against a hang over `impl`. */
export function guardOf(impl: QueueImpl): { readonly timeout: number } {
  return impl.hangGuard ?? TEST_OPTIONS;
}

/** Time after which a call that should block is still expected to be pending. */
export const BLOCK_MS = 10;
/** A timeout short enough to keep the suite fast, long enough to be a real wait. */
export const SHORT_TIMEOUT_MS = 15;
/** A timeout a call that ends by itself never reaches, even on a busy machine. */
export const UNREACHED_TIMEOUT_MS = 60_000;

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
