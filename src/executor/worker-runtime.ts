/**
 * The worker side of an executor, whatever carries its messages (a thread's port, a child
 * process's IPC channel): runs the initializer, then the tasks of each batch one at a
 * time in the order they were sent, and posts each result the moment its task settles.
 *
 * Every task of the executor runs as its own weft task (started at once, not on a later
 * microtask): code in it has an identity, so `currentTask()` is defined, an `RLock` (or a
 * handle on one) taken by one task is refused to the next, even while work the first one
 * left running still holds it, and `TaskLocal` values set by a task stay with that task.
 * Each starts with the worker's own values, those the initializer set (it runs outside any
 * task), as a Python initializer sets up a thread-local for the tasks that follow.
 *
 * A chunk of `map` is one task, as in Python's pool (which runs a chunk's calls one after
 * the other in one thread): its items' calls share that task's identity and `TaskLocal`
 * values, so what item k sets, item k+1 of the same chunk sees; the next chunk starts afresh.
 * A task per item cost a fifth of a worker's time in a map of trivial calls.
 * @module
 */
import '../kinds.js';
import type { Transferable } from 'node:worker_threads';
import {
  decodeValue,
  decodeValues,
  type Encoded,
  encodeValue,
  encodeValues,
} from '../codec/codec.js';
import { whenDecodable } from '../codec/decodable.js';
import type { Destination } from '../codec/descriptor.js';
import { encodeError } from '../codec/error-codec.js';
import { outsideTasks } from '../core/task-identity.js';
import { loadTargetRef } from '../portable/load.js';
import { Task, type TaskDoneListener } from '../task/task.js';
import {
  CHUNK_FAILED,
  detachedError,
  FAILED,
  INIT_FAILED,
  type InitMessage,
  isDetached,
  isInitMessage,
  OK,
  READY,
} from './protocol.js';
import type { TargetDefinition } from './targets.js';

/** How the runtime talks to its executor. */
export interface WorkerChannel {
  post(message: unknown, transfer?: Transferable[]): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Records that the worker has started `count` tasks (readable by the executor after a crash). */
  markStarted(count: number): void;
  /** Where results go: `'process'` when the executor is in another process (default: a thread). */
  readonly to?: Destination;
  /**
   * Every task of a batch has answered: a channel that holds answers back sends them now.
   * `ms`: how long the batch's `tasks` took here, from its first start to its last answer.
   */
  batchDone?(ms: number, tasks: number): void;
}

type Fn = (...args: unknown[]) => unknown;

const NO_TRANSFER: Transferable[] = [];
const NO_ARGS: unknown[] = [];

/** Runs the executor protocol over `channel` until the worker is stopped. */
export function runWorker(channel: WorkerChannel): void {
  const targets: TargetDefinition[] = [];
  const fns: (Fn | undefined)[] = [];
  // Batches waiting to run; `cursor` is the position in the first one.
  const batches: unknown[][] = [];
  let first = 0;
  let cursor = 0;
  let busy = false;
  let ready = false;
  let started = 0;
  /** When the batch being run started (`performance.now()`; -1: none), and `started` then. */
  let batchBegan = -1;
  let startedBefore = 0;

  channel.onMessage((message) => {
    if (isInitMessage(message)) {
      void init(message);
      return;
    }
    const batch = message as unknown[];
    const nDefs = batch[0] as number;
    for (let i = 1; i < 1 + 3 * nDefs; i += 3) {
      const [module, name, source] = batch.slice(i, i + 3) as [string, string, string | undefined];
      targets.push(source === undefined ? { module, name } : { module, name, source });
    }
    // The batch's first slot now says where its tasks begin.
    batch[0] = 1 + 3 * nDefs;
    if (batches.length === first) cursor = batch[0] as number;
    batches.push(batch);
    if (ready && !busy) run();
  });

  async function init(message: InitMessage): Promise<void> {
    try {
      if (message.initializer !== null) {
        const initializer = await resolveTarget(message.initializer);
        await whenDecodable(message.initArgs);
        await initializer(...decodeValues(message.initArgs));
      }
    } catch (error) {
      channel.post([INIT_FAILED, encodeError(error)]);
      return;
    }
    ready = true;
    channel.post([READY]);
    if (!busy) run();
  }

  /** Runs tasks until none is left or one has to wait (then it resumes this loop when done). */
  function run(): void {
    busy = true;
    for (;;) {
      if (first === batches.length) {
        batches.length = 0;
        first = 0;
        busy = false;
        return;
      }
      const batch = batches[first]!;
      if (cursor >= batch.length) {
        batches[first++] = undefined as unknown as unknown[];
        channel.batchDone?.(performance.now() - batchBegan, started - startedBefore);
        batchBegan = -1;
        if (first < batches.length) cursor = batches[first]![0] as number;
        continue;
      }
      if (batchBegan < 0) {
        batchBegan = performance.now();
        startedBefore = started;
      }
      const key = batch[cursor] as number;
      const n = batch[cursor + 1] as number;
      const start = cursor + 2;
      cursor = start + (n < 0 ? 1 : n); // a chunk's items are one array
      channel.markStarted(++started);
      const fn = fns[key];
      // Instances of portable classes whose module this worker has not loaded yet wait for it.
      const classes =
        n < 0 ? whenDecodable(batch[start] as unknown[]) : whenDecodable(batch, start, cursor);
      if (fn === undefined || classes !== undefined) {
        loadAndRun(key, batch, start, n, classes);
        return;
      }
      const pending =
        n < 0 ? runChunk(fn, batch[start] as unknown[]) : runCall(fn, batch, start, n);
      if (pending !== undefined) {
        pending.then(run);
        return;
      }
    }
  }

  function loadAndRun(
    key: number,
    batch: unknown[],
    start: number,
    n: number,
    classes: Promise<void> | undefined,
  ): void {
    const target = fns[key] ?? resolveTarget(targets[key]!);
    Promise.all([target, classes]).then(
      ([fn]) => {
        fns[key] = fn;
        const pending =
          n < 0 ? runChunk(fn, batch[start] as unknown[]) : runCall(fn, batch, start, n);
        if (pending !== undefined) pending.then(run);
        else run();
      },
      (error: unknown) => {
        postFailed(error);
        run();
      },
    );
  }

  // Calls run one at a time, so one listener serves every call that returns a promise (it
  // costs fewer promises than awaiting the task, each one dearer once tasks exist).
  let resume: (() => void) | undefined;
  /** The results array of the chunk that waits (null: a call waits). */
  let chunkResults: unknown[] | null = null;
  const callDone: TaskDoneListener = {
    taskDone(task) {
      const results = chunkResults;
      chunkResults = null;
      if (results !== null) {
        if (task.successful()) postChunk(results);
        else postChunkFailed(results, task.failure);
      } else if (task.successful()) postOk(task.value);
      else postFailed(task.failure);
      const next = resume!;
      resume = undefined;
      next();
    },
  };

  /** Resolves once `task` (the call or chunk that waits) has answered. */
  function whenDone(task: Task): Promise<void> {
    task.addDoneListener(callDone);
    return new Promise<void>((resolve) => {
      resume = resolve;
    });
  }

  /** One call; returns a promise only when the function returned one. */
  function runCall(fn: Fn, batch: unknown[], start: number, n: number): Promise<void> | undefined {
    let args: unknown[];
    try {
      if (n === 0) args = NO_ARGS;
      else if (n === 1) args = [decodeValue(batch[start])];
      else args = decodeValues(batch.slice(start, start + n));
    } catch (error) {
      postFailed(error);
      return undefined;
    }
    const task = startCall(fn, args);
    if (!task.ready()) return whenDone(task);
    if (task.successful()) postOk(task.value);
    else postFailed(task.failure);
    return undefined;
  }

  /**
   * A chunk of map, as one weft task: `fn(item)` for each item in turn, as Python's pool
   * runs a chunk (one call after the other, the results in one list). Stops at the first
   * item that throws. Returns a promise only when a call returned one.
   */
  function runChunk(fn: Fn, items: unknown[]): Promise<void> | undefined {
    // A new array, filled in order: V8 sends it as a dense array. (The items arrived as
    // an array with holes as far as V8 knows, which it would send element by element.)
    const results: unknown[] = [];
    const task = startCall(callEach as Fn, [fn, items, results]);
    if (!task.ready()) {
      chunkResults = results;
      return whenDone(task);
    }
    if (task.successful()) postChunk(results);
    else postChunkFailed(results, task.failure);
    return undefined;
  }

  function postOk(value: unknown): void {
    try {
      const encoded = encodeValue(value, 'a task in a worker', channel.to);
      if (encoded.transfer.length > 0 && encoded.transfer.some(isDetached)) throw detachedError();
      channel.post(
        [OK, encoded.value],
        encoded.transfer.length > 0 ? encoded.transfer : NO_TRANSFER,
      );
    } catch (error) {
      postFailed(error);
    }
  }

  function postChunk(results: unknown[]): void {
    try {
      const encoded = encodeChunk(results);
      channel.post([OK, encoded.values], encoded.transfer);
    } catch (error) {
      postFailed(error);
    }
  }

  function postChunkFailed(results: unknown[], error: unknown): void {
    try {
      const encoded = encodeChunk(results);
      channel.post([CHUNK_FAILED, encoded.values, encodeError(error)], encoded.transfer);
    } catch (postError) {
      postFailed(postError);
    }
  }

  /** A chunk's results, ready to post (`results` itself when they need no encoding). */
  function encodeChunk(results: unknown[]): Encoded {
    const encoded = encodeValues(results, 'a task of map in a worker', 'result', channel.to, true);
    if (encoded.transfer.some(isDetached)) throw detachedError();
    return encoded;
  }

  function postFailed(error: unknown): void {
    let encoded: unknown;
    try {
      encoded = encodeError(error);
      channel.post([FAILED, encoded]);
    } catch (postError) {
      // The thrown value itself cannot cross (say, an object holding a function).
      channel.post([
        FAILED,
        encodeError(
          new TypeError(
            `the task threw a value that cannot cross back from the worker: ${(postError as Error).message}`,
          ),
        ),
      ]);
    }
  }
}

/**
 * The body of a chunk's task: `fn(item)` for each item, each result pushed to `results` (a
 * sync one at once, with no promise; from the first call that returns a promise on, the
 * rest in `eachAfter`). A throw ends it; `results` then holds the items before.
 */
function callEach(fn: Fn, items: unknown[], results: unknown[]): Promise<void> | undefined {
  for (let i = 0; i < items.length; i++) {
    const value = fn(decodeValue(items[i]));
    if (isThenable(value)) return eachAfter(fn, items, i, value, results);
    results.push(value);
  }
  return undefined;
}

/** The rest of `callEach` once item `at` returned `pending`, each promise awaited in turn. */
async function eachAfter(
  fn: Fn,
  items: unknown[],
  at: number,
  pending: PromiseLike<unknown>,
  results: unknown[],
): Promise<void> {
  results.push(await pending);
  for (let i = at + 1; i < items.length; i++) {
    const value = fn(decodeValue(items[i]));
    results.push(isThenable(value) ? await value : value);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** The function `target` names (see target-ref.ts), its module imported once per worker. */
function resolveTarget(target: TargetDefinition): Promise<Fn> {
  return loadTargetRef(target);
}

/**
 * Starts `fn(...args)` as a weft task, now (the runtime itself decides when calls run, so
 * nothing is gained by waiting a microtask), with the worker's own `TaskLocal` values.
 * Its failure is the caller's to report: it never becomes an unobserved-task warning.
 */
function startCall(fn: Fn, args: unknown[]): Task {
  const task = new Task(fn, args, undefined, outsideTasks, true);
  task.markObserved();
  task.begin();
  return task;
}
