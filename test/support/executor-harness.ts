// What the executor contract's parts share: the implementation under test, executors and gates
// that are cleaned up after the suite whatever happens (every gate opened, every executor shut
// down with its queued work cancelled), a poll for conditions workers make true, and waits
// derived from the round trip this machine measures now rather than fixed tight limits.
import { after } from 'node:test';
import { Barrier, Event, type Executor, type ExecutorOptions, Queue } from '../../src/index.js';
import type * as tasks from '../fixtures/executor-tasks.js';
import { childLimit } from './child-budget.js';

/** The task module every executor runs (test/fixtures/executor-tasks.ts). */
export type ExecutorTasks = typeof tasks;

/**
 * What an executor does not do that the contract otherwise expects: each `false` is a
 * difference between implementations, said where the implementation is declared.
 */
export interface ExecutorCapabilities {
  /** `move(buffer)` detaches the sender's buffer (else the buffer is copied). */
  movesBuffers: boolean;
  /** The uncaught error that kills a worker is the `cause` of its `WorkerCrashedError`. */
  crashCause: boolean;
}

/** One executor implementation the contract runs against. */
export interface ExecutorImpl {
  /** The class, as the package exports it. */
  name: string;
  /** What a worker is: the contract says which behaviours differ by kind. */
  kind: 'thread' | 'process';
  create(options?: ExecutorOptions): Executor;
  /** The portable fixture functions the workers run. */
  tasks: ExecutorTasks;
  capabilities: ExecutorCapabilities;
}

export { WORKER_SUITE as SUITE } from './async-helpers.js';

/** The why of a test an implementation cannot pass (a `skip` option), or `false`. */
export function unless(capable: boolean, why: string): string | false {
  return capable ? false : why;
}

/**
 * The per-suite helpers of an executor contract part: call it inside `describe`, so that
 * what it creates is cleaned up after that suite.
 */
export function executorHarness(impl: ExecutorImpl) {
  const executors: Executor[] = [];
  const gates: Event[] = [];
  const barriers: Barrier[] = [];

  after(async () => {
    for (const event of gates) event.set();
    for (const barrier of barriers) barrier.abort();
    await Promise.all(executors.map((executor) => executor.shutdown({ cancelFutures: true })));
  });

  return {
    /** An executor shut down after the suite, whatever happens. */
    pool(options?: ExecutorOptions): Executor {
      const executor = impl.create(options);
      executors.push(executor);
      return executor;
    },
    /** An Event tasks wait on (waitForGate); set after the suite at the latest. */
    gate(): Event {
      const event = new Event();
      gates.push(event);
      return event;
    },
    /** A Barrier tasks meet at (meetOthers); broken after the suite at the latest. */
    barrier(parties: number): Barrier {
      const barrier = new Barrier(parties);
      barriers.push(barrier);
      return barrier;
    },
    /** A Queue tasks log on: what ran, what started. */
    log(): Queue<unknown> {
      return new Queue<unknown>();
    },
  };
}

/** Polls `condition` every 5 ms; gives up after `childLimit(20_000)` (a guard: workers may be starting). */
export async function pollUntil(condition: () => boolean, what: string): Promise<void> {
  if (condition()) return;
  const deadline = performance.now() + (await childLimit(20_000));
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The slowest of a few round trips of a trivial task through `executor`'s warm worker, in ms:
 * the unit a test scales its waits by, so that a busy machine makes them longer, never flaky.
 */
export async function roundTripMs(executor: Executor, tasks: ExecutorTasks): Promise<number> {
  await executor.submit(tasks.identity, 'warm up');
  let slowest = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await executor.submit(tasks.identity, i);
    slowest = Math.max(slowest, performance.now() - start);
  }
  return slowest;
}

/**
 * Gets `count` items from `queue` (each within `childLimit(20_000)`, a guard: the workers may
 * be starting): a test waits until tasks said they started.
 */
export async function take(queue: Queue<unknown>, count = 1): Promise<unknown[]> {
  const wait = { timeout: await childLimit(20_000) };
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) items.push(await queue.get(wait));
  return items;
}

/** Drains what is in `queue` now. */
export function drain(queue: Queue<unknown>): unknown[] {
  const items: unknown[] = [];
  while (!queue.empty()) items.push(queue.getNowait());
  return items;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
