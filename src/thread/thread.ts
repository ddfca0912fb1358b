/**
 * `Thread` — Python's `threading.Thread` on a `worker_threads` Worker: real parallelism,
 * the same lifecycle (`start` once, `join` with a timeout, `isAlive`, names, `ident`,
 * daemon threads), plus the target's `result`, its `exception` and `exitCode`.
 * @module
 */
import { inspect } from 'node:util';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, RESOLVED_VOID, WaiterQueue } from '../core/waiter.js';
import { RuntimeError, WorkerCrashedError } from '../errors.js';
import { decodeValue, type Encoded, encodeValues } from '../portable/args.js';
import { decodeError } from '../portable/error-codec.js';
import { checkTarget, type PortableTarget, type Target } from '../portable/portable.js';
import { targetRef } from '../portable/target-ref.js';
import type { SendableArgs } from '../proxy/handle-of.js';
import { type RunMessage, type ToParent, threadMessageKind } from './protocol.js';
import {
  currentThread,
  fullName,
  holdParent,
  type StartedThread,
  threadRepr,
  threadTable,
  trackStarted,
  untrackStarted,
} from './registry.js';
import { reportThreadLater } from './thread-report.js';
import { startThreadWorker } from './thread-start.js';
import type { TableKey } from './thread-table.js';

// The worker entry next to this module: .ts when weft runs from its sources (under tsx), .js from dist/.
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './thread-entry.ts' : './thread-entry.js',
  import.meta.url,
);

type AnyFunction = (...args: never[]) => unknown;

/** Options of `new Thread(target, options)`. */
export interface ThreadOptions<A extends readonly unknown[] = unknown[]> {
  /** The target's arguments; each must be able to cross into a thread (checked here). */
  args?: A;
  /** The thread's name; default `Thread-N (target)`, N counting threads of the whole process. */
  name?: string;
  /** A daemon thread does not keep the process alive; default: the creating thread's flag. */
  daemon?: boolean;
  /** The worker's memory and stack limits (`worker_threads` `resourceLimits`). */
  resourceLimits?: ResourceLimits;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * A function running in its own thread (a `worker_threads` Worker). The target is a
 * portable function — `export const work = portable(import.meta.url, fn)` — or
 * `{ module, name }`; its arguments cross by structured clone (`move()` transfers buffers).
 *
 * As in Python: `start()` once (again → `RuntimeError`); `join()` before `start()` →
 * `RuntimeError`; `join({ timeout })` resolves `false` while the thread still runs; a
 * non-daemon thread keeps the process alive until it ends, a daemon thread does not.
 * The thread ends when its target returns (or its promise settles): timers or handles the
 * target left open do not keep it going. Once it has ended, `result` holds the target's
 * return value, or `exception` what it threw — with its class name, message, stack,
 * `cause` and own fields — and `exitCode` the worker's exit code (0, or 1 after an
 * exception or `terminate()`; `process.exit(n)` in the target ends the thread quietly with
 * `n`, as `sys.exit()` does in a Python thread). An exception nobody reads is reported as
 * an `UnobservedThreadError` process warning on a later turn (Python prints it).
 *
 * @example
 * ```ts
 * // work.ts
 * export const fib = portable(import.meta.url, function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * });
 * // main.ts
 * const thread = new Thread(fib, { args: [30], name: 'fib' });
 * thread.start();
 * await thread.join();
 * console.log(thread.result); // 832040
 * ```
 */
export class Thread<F extends AnyFunction = AnyFunction> implements StartedThread {
  private givenName: string;
  private daemonic: boolean;
  private readonly target: Target;
  private readonly encodedArgs: Encoded;
  private readonly resourceLimits: ResourceLimits | undefined;
  private phase: 'initial' | 'started' | 'stopped' = 'initial';
  private worker: Worker | undefined = undefined;
  private key: TableKey | undefined = undefined;
  private threadIdent: number | undefined = undefined;
  private code: number | null = null;
  private outcome: Outcome | undefined = undefined;
  private observed = false;
  private joiners = 0;
  private waiters: WaiterQueue<boolean> | undefined = undefined;
  /** Whether threads inside this daemon thread keep the process alive (so it must too). */
  private heldByChildren = false;
  /** Whether `terminate()` ended the thread (or its target could not be sent to it). */
  private terminated = false;

  /**
   * Checks the target (a portable function or `{ module, name }`) and the arguments at the
   * call: a TypeError says what cannot run or cross into a thread. Does not start it.
   */
  constructor(target: F, options?: ThreadOptions<SendableArgs<Parameters<F>>>);
  constructor(target: PortableTarget, options?: ThreadOptions);
  constructor(
    target: F | PortableTarget,
    options: ThreadOptions<SendableArgs<Parameters<F>>> = {},
  ) {
    checkTarget(target, 'new Thread(target)');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new Thread(target, options): options must be an object, got ${describe(options)}`,
      );
    }
    const { args = [], name, daemon, resourceLimits } = options as ThreadOptions;
    if (!Array.isArray(args)) {
      throw new TypeError(
        `new Thread(target, { args }): args must be an array, got ${describe(args)}`,
      );
    }
    if (daemon !== undefined && typeof daemon !== 'boolean') {
      throw new TypeError(
        `new Thread(target, { daemon }): daemon must be a boolean, got ${describe(daemon)}`,
      );
    }
    this.target = target;
    this.encodedArgs = encodeValues(args, 'new Thread(target, { args })');
    this.resourceLimits = resourceLimits;
    this.daemonic = daemon ?? currentThread().daemon;
    this.givenName =
      name === undefined || name === null || String(name) === ''
        ? defaultName(target)
        : String(name);
  }

  /** The thread's name; renaming a running thread is seen inside it too. */
  get name(): string {
    if (this.phase === 'started') {
      const entry = threadTable().entry(this.key!);
      if (entry !== undefined) this.givenName = fullName(entry, this.givenName);
    }
    return this.givenName;
  }

  set name(name: string) {
    this.givenName = String(name);
    if (this.phase === 'started') threadTable().rename(this.key!, this.givenName);
  }

  /** The worker's `threadId` once started (kept after the thread ends), else `undefined`. */
  get ident(): number | undefined {
    return this.threadIdent;
  }

  /** Whether the thread does not keep the process alive; settable only before `start()`. */
  get daemon(): boolean {
    return this.daemonic;
  }

  set daemon(daemon: boolean) {
    if (this.phase !== 'initial') {
      throw new RuntimeError(`cannot set the daemon flag of thread ${this.name}: it has started`);
    }
    if (typeof daemon !== 'boolean') {
      throw new TypeError(`Thread.daemon must be a boolean, got ${describe(daemon)}`);
    }
    this.daemonic = daemon;
  }

  /** The worker's exit code once the thread has ended, else `null`. */
  get exitCode(): number | null {
    return this.code;
  }

  /** The target's return value (awaited) once the thread has ended, else `undefined`. */
  get result(): Awaited<ReturnType<F>> | undefined {
    if (this.phase !== 'stopped' || this.outcome?.ok !== true) return undefined;
    return this.outcome.value as Awaited<ReturnType<F>>;
  }

  /** What the target threw, once the thread has ended that way, else `undefined`. */
  get exception(): unknown {
    if (this.phase !== 'stopped' || this.outcome?.ok !== false) return undefined;
    this.observed = true;
    return this.outcome.error;
  }

  /** Whether the thread has started and not yet ended. */
  isAlive(): boolean {
    return this.phase === 'started';
  }

  /**
   * Starts the thread. Throws `RuntimeError` when called twice. The target's module is
   * imported in the new thread; if that or finding the function fails, the thread ends
   * with that error as its `exception`.
   */
  start(): void {
    if (this.phase !== 'initial') {
      throw new RuntimeError(`threads can only be started once (${this.name} was started already)`);
    }
    const { worker, key } = startThreadWorker(ENTRY, this.givenName, this.daemonic, {
      resourceLimits: this.resourceLimits,
    });
    this.phase = 'started';
    this.worker = worker;
    this.key = key;
    this.threadIdent = worker.threadId;
    trackStarted(worker.threadId, this);
    worker.on('message', (message: unknown) => this.receive(message));
    worker.on('error', (error: Error) => this.crashed(error));
    worker.on('exit', (code: number) => this.exited(code));
    // After the listeners: adding a 'message' listener refs the worker again.
    this.updateRef();
    if (!this.daemonic) holdParent(1);
    this.sendTarget(worker);
  }

  /**
   * Waits for the thread to end: `true` once it has, `false` on timeout. Never rejects
   * with the thread's exception (read `exception`); rejects with `RuntimeError` when the
   * thread was never started.
   */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'Thread.join');
      if (refused) return refused;
    }
    if (this.phase === 'initial') {
      return Promise.reject(
        new RuntimeError(`cannot join thread ${this.name} before it is started`),
      );
    }
    if (this.phase === 'stopped') return RESOLVED_TRUE;
    this.joiners++;
    this.updateRef();
    return this.doneQueue()
      .wait(opts, falseOnTimeout)
      .finally(() => this.releaseReport());
  }

  /**
   * Stops the thread now (`Worker.terminate()`): its code stops wherever it is, its own
   * threads end with it. Resolves once it has ended (`exitCode` 1, no `exception`).
   * Rejects with `RuntimeError` when the thread was never started.
   */
  terminate(): Promise<void> {
    if (this.phase === 'initial') {
      return Promise.reject(
        new RuntimeError(`cannot terminate thread ${this.name} before it is started`),
      );
    }
    if (this.phase === 'stopped') return RESOLVED_VOID;
    this.terminated = true;
    this.worker!.terminate().then(ignore, ignore);
    return this.doneQueue().waitIgnoringTask().then(ignore);
  }

  /** Python's repr: `<Thread(name, started daemon 3)>`. */
  toString(): string {
    return threadRepr('Thread', this.name, this.phase, this.daemonic, this.threadIdent);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** @internal For the failure report: the exception without marking it read. */
  get failure(): unknown {
    return this.outcome?.ok === false ? this.outcome.error : undefined;
  }

  /** @internal For the failure report. */
  stillUnobserved(): boolean {
    return !this.observed && this.joiners === 0;
  }

  /** @internal For the failure report. */
  markObserved(): void {
    this.observed = true;
  }

  private sendTarget(worker: Worker): void {
    const message: RunMessage = {
      $weftThread: 'run',
      target: targetRef(this.target),
      args: this.encodedArgs.values,
    };
    try {
      // Node drops a message whose transfer list holds a detached buffer, without a word.
      for (const item of this.encodedArgs.transfer) {
        if (item instanceof ArrayBuffer && item.byteLength === 0) structuredClone(item);
      }
      worker.postMessage(message, this.encodedArgs.transfer);
    } catch (error) {
      this.failBeforeRunning(worker, error);
    }
  }

  /** The run message could not be sent (a buffer to move was detached since): fail now. */
  private failBeforeRunning(worker: Worker, error: unknown): void {
    this.outcome ??= { ok: false, error };
    this.terminated = true;
    worker.terminate().then(ignore, ignore);
  }

  private receive(message: unknown): void {
    const kind = threadMessageKind(message);
    if (kind === 'done') {
      const done = message as ToParent & { $weftThread: 'done' };
      this.outcome ??= done.ok
        ? { ok: true, value: decodeValue(done.value) }
        : { ok: false, error: decodeError(done.error) };
    } else if (kind === 'hold') {
      this.holdForChildren((message as { on: boolean }).on);
    }
  }

  /** @internal Threads inside a daemon thread that keep the process alive keep it alive too. */
  holdForChildren(on: boolean): void {
    if (!this.daemonic || on === this.heldByChildren || this.phase !== 'started') return;
    this.heldByChildren = on;
    this.updateRef();
    holdParent(on ? 1 : -1);
  }

  /**
   * A daemon thread's worker is unref'd, except while threads inside it keep the process
   * alive, or while someone waits in `join()` (as a Python thread blocked in `join()`
   * keeps the process running).
   */
  private updateRef(): void {
    const worker = this.worker;
    if (worker === undefined) return;
    if (!this.daemonic || this.heldByChildren || this.joiners > 0) worker.ref();
    else worker.unref();
  }

  /** The worker died of something its own code could not report (out of memory, a broken entry). */
  private crashed(error: Error): void {
    this.outcome ??= {
      ok: false,
      error: new WorkerCrashedError(`thread ${this.name} crashed: ${error.message}`, {
        cause: error,
      }),
    };
  }

  private exited(code: number): void {
    const name = this.name; // the last name it had, before its entry goes
    this.givenName = name;
    threadTable().release(this.key!);
    untrackStarted(this.threadIdent!);
    this.phase = 'stopped';
    // A worker terminated before it ran any code reports 0; a terminated thread reports 1.
    this.code = this.terminated && code === 0 ? 1 : code;
    this.worker = undefined;
    if (!this.daemonic) holdParent(-1);
    if (this.heldByChildren) {
      this.heldByChildren = false;
      holdParent(-1);
    }
    this.waiters?.wakeAll(true);
    if (this.outcome?.ok === false && !this.observed && this.joiners === 0) reportThreadLater(this);
  }

  private releaseReport(): void {
    if (--this.joiners > 0) return;
    this.updateRef();
    if (this.phase === 'stopped' && this.outcome?.ok === false && !this.observed) {
      reportThreadLater(this);
    }
  }

  private doneQueue(): WaiterQueue<boolean> {
    return (this.waiters ??= new WaiterQueue<boolean>());
  }
}

/** Python's default name: `Thread-N (target)`, N counting across the whole process. */
function defaultName(target: Target): string {
  const number = threadTable().nextNameNumber();
  return target.name ? `Thread-${number} (${target.name})` : `Thread-${number}`;
}

function ignore(): void {}
