/**
 * The one loop every worker of the dish pipeline runs, wherever it runs: take each dish,
 * work on it, hand it on, mark it done. It is written against what a `Queue` and a
 * `QueueHandle` have in common, so a dryer in a worker thread (whose queues arrived as
 * handles) runs exactly the code a dryer task runs. This module is loaded in worker
 * threads too: it imports nothing that pulls in the rest of weft.
 * @module
 */
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Queue } from '../queue/queue.js';
import type { QueueHandle } from '../queue/queue-handle.js';
import type { SharedQueue } from '../shared/shared-queue.js';
import { checksumDish } from './checksum.js';

/** A queue of dish numbers: the queue itself in its own thread, a handle on it in another, or one in shared memory. */
export type DishQueue = Queue<number> | QueueHandle<number> | SharedQueue<number>;

/**
 * What a stage takes its dishes from: anything that yields them until it is shut down and
 * drained, and takes a `taskDone()` for each — a `DishQueue`, a `RedisQueue`, or a view on one.
 */
export interface DishInput extends AsyncIterable<number> {
  taskDone(): unknown;
}

/** Where a stage hands its dishes on: the next queue (or something that puts on it). */
export interface DishOutput {
  put(dish: number): Promise<void>;
}

/** How a stage counts what its workers do (`StageTally` in the main thread). */
export interface StageCounter {
  /** A worker took a dish. */
  took(): void;
  /** A worker finished `dish` (handed it on, or, in the last stage, stacked it). */
  finished(dish: number): void;
}

/**
 * A stage's work on one dish: a number is ms to wait (I/O-like work: a sleep), and
 * `{ checksum: bytes }` is CPU-bound work: checksumming that many of the dish's bytes.
 */
export type DishWork = number | { readonly checksum: number };

/** Works on `dish`: sleeps, or checksums, or just lets the other workers run (0 ms of sleep). */
export async function work(dish: number, how: DishWork): Promise<void> {
  if (typeof how !== 'number') {
    checksumDish(dish, how.checksum);
    // Computing never yields: let the other tasks of this thread take their turn.
    await yieldToLoop();
  } else if (how > 0) await sleep(how);
  else await yieldToLoop();
}

/**
 * One worker of a stage: takes each dish from `input` until it is shut down and drained,
 * works on it (`how`: ms of sleep, or a checksum), puts it on `output` (none for the last stage), tells `counter`, and
 * marks it done on `input` — after the put, so `input.join()` means "every dish is on the
 * next queue".
 *
 * @example
 * ```ts
 * const dirty = new Queue<number>();
 * const clean = new Queue<number>();
 * spawn(() => passOn(dirty, clean, 2)); // a washer
 * ```
 */
export async function passOn(
  input: DishInput,
  output: DishOutput | undefined,
  how: DishWork,
  counter?: StageCounter,
): Promise<void> {
  for await (const dish of input) {
    counter?.took();
    await work(dish, how);
    if (output !== undefined) await output.put(dish);
    counter?.finished(dish);
    // A handle's taskDone() is a call to the owner: await it, so a refusal fails this worker.
    await input.taskDone();
  }
}
