// Helpers shared by the contract suites (test/contracts/) and the tests that run them: parties, tracked promises, gates.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { spawn, type Task, type WaitOptions } from '../../src/index.js';

export { sleep };

/** A value now, or later: remote primitives (process proxy, Redis) answer sync-looking calls asynchronously. */
export type MaybePromise<X> = X | Promise<X>;

/**
 * How an implementation runs concurrent parties. `run` starts `fn` as a separate party (a task,
 * a thread, ...) and resolves with its result. `main`, when given, runs each test body as a party
 * of its own — needed where ownership follows the caller (an RLock only works inside a task).
 */
export interface Runner {
  run<T>(fn: () => Promise<T>): Promise<T>;
  main?<T>(fn: () => Promise<T>): Promise<T>;
  /** The guard against a hang of a contract's suite over this implementation (`TEST_OPTIONS` if not given). */
  hangGuard?: { readonly timeout: number };
}

/** Task scope: every party is a green task of its own (`spawn`). */
export const taskParties: Runner = {
  run<T>(fn: () => Promise<T>): Promise<T> {
    return Promise.resolve(spawn(fn)) as Promise<T>;
  },
};

/** Task scope, with the test body itself running as a task too (for primitives owned by a task). */
export const taskPartiesAndMain: Runner = { run: taskParties.run, main: taskParties.run };

/** Runs a test body the way `runner` wants test bodies run. */
export function inMain<T>(runner: Runner, fn: () => Promise<T>): Promise<T> {
  return runner.main === undefined ? fn() : runner.main(fn);
}

/** Per-test limit, so a wait that never ends fails the test instead of hanging the run. */
export const TEST_OPTIONS = { timeout: 5_000 } as const;
/**
 * A guard against a hang for a suite that starts threads or processes, or whose every call is
 * a round trip to a server: it ends well within it on a busy machine.
 */
export const WORKER_SUITE = { timeout: 300_000 } as const;
/** A timeout short enough to keep the suites fast, long enough to be a real wait. */
export const SHORT_MS = 10;

/** Lets the event loop turn `turns` times, so that every pending hand-off and continuation runs. */
export async function tick(turns = 1): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/**
 * Waits, turn by turn, until `check()` holds; fails (instead of hanging) after `ms` — a guard
 * against a hang, not a time limit: on a busy machine a thread or process the check waits
 * for may take seconds to get there, and the test's own timeout bounds the whole.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 60_000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`gave up waiting until ${what}`);
    await nextTurn();
  }
}

/** A promise whose outcome can be read without awaiting it (and whose rejection is always handled). */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  state: 'pending' | 'fulfilled' | 'rejected';
  value: T | undefined;
  reason: unknown;
}

export function track<T>(promise: PromiseLike<T>): Tracked<T> {
  const settled = Promise.resolve(promise);
  const tracked: Tracked<T> = {
    promise: settled,
    state: 'pending',
    value: undefined,
    reason: undefined,
  };
  settled.then(
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
export async function assertBlocks(tracked: Tracked<unknown>, what: string, ms = SHORT_MS) {
  await sleep(ms);
  assert.equal(tracked.state, 'pending', `${what} should still be waiting`);
}

/** Awaits every tracked promise, whatever its outcome, so that outcomes can be read. */
export async function settleAll(tracked: Tracked<unknown>[]): Promise<void> {
  await Promise.allSettled(tracked.map((t) => t.promise));
}

/** Asserts that every tracked promise fulfilled, showing the first failure's reason. */
export async function assertAllFulfilled(tracked: Tracked<unknown>[], what: string) {
  await settleAll(tracked);
  for (const [i, t] of tracked.entries()) {
    if (t.state === 'rejected') throw t.reason;
    assert.equal(t.state, 'fulfilled', `${what} #${i}`);
  }
}

/**
 * How many waits observe `task` being killed: abort listeners on its signal plus the weft
 * waits parked in it (those do not listen: the kill interrupts them).
 */
export function taskObservers(task: Task<unknown>): number {
  return abortListeners(task.signal) + task.waitWatch.size;
}

/** How many abort listeners `signal` still holds. */
export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** An error used as an abort reason, recognisable by identity. */
export class Cancelled extends Error {
  override name = 'Cancelled';
}

/** A gate a party can wait on until the test opens it (plain promise: no weft primitive under test). */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** What `holder` needs of a lock or semaphore (or a handle on one). */
export interface Acquirable {
  acquire(opts?: WaitOptions): Promise<boolean>;
  release(): unknown;
}

/**
 * A separate party (run by `runner`) that takes `primitive`, logs `tag`, keeps it until
 * `hold` opens and gives it back. Resolves `'taken'` or `'timed out'`; rejects with whatever
 * `acquire` rejected with.
 */
export function holder(
  runner: Runner,
  primitive: Acquirable,
  log: string[],
  tag: string,
  opts?: WaitOptions,
  hold?: Gate,
): Tracked<string> {
  return track(
    runner.run(async () => {
      if (!(await primitive.acquire(opts))) return 'timed out';
      log.push(tag);
      if (hold !== undefined) await hold.opened;
      await primitive.release();
      return 'taken';
    }),
  );
}
