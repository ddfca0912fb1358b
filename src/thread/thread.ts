/**
 * `Thread` — Python's `threading.Thread` on a `worker_threads` Worker: real parallelism,
 * the same lifecycle (`start` once, `join` with a timeout, `isAlive`, names, `ident`,
 * daemon threads), plus the target's `result`, its `exception` and `exitCode`.
 * @module
 */
// Every kind of primitive an argument may hold must be known before one crosses.
import '../kinds.js';
import { inspect } from 'node:util';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { type Encoded, encodeValues } from '../codec/codec.js';
import { describe, refuseUnknownOptions } from '../core/options.js';
import { RESOLVED_VOID } from '../core/waiter.js';
import {
  checkTarget,
  type Portable,
  type PortableTarget,
  type Target,
} from '../portable/portable.js';
import { anchorModule, targetRef } from '../portable/target-ref.js';
import type { SendableArgs } from '../remote/handle-types.js';
import { type AnyFunction, Runner } from '../runner/runner.js';
import { inheritedNow } from '../runner/spare-pool.js';
import { type RunMessage, type ThreadBoot, type ToParent, threadMessageKind } from './protocol.js';
import {
  currentThread,
  fullName,
  holdParent,
  threadRepr,
  threadTable,
  trackStarted,
  untrackStarted,
} from './registry.js';
import { spareThreads } from './spare-threads.js';
import { adoptThreadWorker, startThreadWorker, THREAD_ENTRY } from './thread-start.js';
import type { TableKey } from './thread-table.js';

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
// (Structurally also a StartedThread, through members kept out of the published types.)
export class Thread<F extends AnyFunction = AnyFunction> extends Runner<F> {
  /** @internal */
  readonly reportAs = 'thread';
  private givenName: string;
  private readonly target: Target;
  private readonly encodedArgs: Encoded;
  private readonly resourceLimits: ResourceLimits | undefined;
  private worker: Worker | undefined = undefined;
  private key: TableKey | undefined = undefined;
  private threadIdent: number | undefined = undefined;
  /** Whether threads inside this daemon thread keep the process alive (so it must too). */
  private heldByChildren = false;
  /** Whether `terminate()` ended the thread (or its target could not be sent to it). */
  private terminated = false;

  /**
   * Checks the target (a portable function or `{ module, name }`) and the arguments at the
   * call: a TypeError says what cannot run or cross into a thread. Does not start it.
   */
  constructor(target: Portable<F>, options?: ThreadOptions<SendableArgs<Parameters<F>>>);
  constructor(target: PortableTarget, options?: ThreadOptions);
  constructor(target: Target, options: ThreadOptions<SendableArgs<Parameters<F>>> = {}) {
    checkTarget(target, 'new Thread(target)');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new Thread(target, options): options must be an object, got ${describe(options)}`,
      );
    }
    refuseUnknownOptions(
      options,
      ['args', 'name', 'daemon', 'resourceLimits'],
      'new Thread(target, options)',
    );
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
    super(daemon ?? currentThread().daemon);
    // A relative { module } is resolved now, against the file of the code that gave it.
    this.target =
      typeof target === 'function'
        ? target
        : { module: anchorModule(target.module), name: target.name };
    this.encodedArgs = encodeValues(args, 'new Thread(target, { args })');
    this.resourceLimits = resourceLimits;
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

  /**
   * Starts the thread. Throws `RuntimeError` when called twice. The target's module is
   * imported in the new thread; if that or finding the function fails, the thread ends
   * with that error as its `exception`.
   */
  start(): void {
    this.refuseRestart();
    // A spare booted ahead (warm start) serves a thread with the options it was started with.
    const spare = this.resourceLimits === undefined ? spareThreads.take(inheritedNow()) : undefined;
    const { worker, key, boot } =
      spare !== undefined
        ? adoptThreadWorker(spare, this.givenName, this.daemonic)
        : startThreadWorker(THREAD_ENTRY, this.givenName, this.daemonic, {
            resourceLimits: this.resourceLimits,
          });
    // The target first: a spare starts on it while this thread does the bookkeeping.
    this.sendTarget(worker, spare === undefined ? undefined : boot);
    this.phase = 'started';
    this.worker = worker;
    this.key = key;
    this.threadIdent = worker.threadId;
    trackStarted(worker.threadId, this);
    worker.on('message', (message: unknown) => this.receive(message));
    // The worker died of something its own code could not report (out of memory, a broken entry).
    worker.on('error', (error: Error) => this.crashed(error, 'crashed'));
    worker.on('exit', (code: number) => this.exited(code));
    // After the listeners: adding a 'message' listener refs the worker again.
    this.updateRef();
    if (!this.daemonic) holdParent(1);
  }

  /**
   * Stops the thread now (`Worker.terminate()`): its code stops wherever it is (but never
   * inside the few instructions that change a shared primitive's words), its own
   * threads end with it. Resolves once it has ended (`exitCode` 1, no `exception`).
   * Rejects with `RuntimeError` when the thread was never started.
   */
  terminate(): Promise<void> {
    const unstarted = this.refuseUnstarted('terminate');
    if (unstarted) return unstarted;
    if (this.phase === 'stopped') return RESOLVED_VOID;
    this.terminated = true;
    const worker = this.worker!;
    threadTable()
      .stopOutsideSections(this.key!)
      .then(() => worker.terminate())
      .then(ignore, ignore);
    return this.whenEnded();
  }

  /** Python's repr: `<Thread(name, started daemon 3)>`. */
  override toString(): string {
    return threadRepr('Thread', this.name, this.phase, this.daemonic, this.threadIdent);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** Sends the target (and to a spare, who it is). */
  private sendTarget(worker: Worker, boot: ThreadBoot | undefined): void {
    const message: RunMessage = {
      $weftThread: 'run',
      target: targetRef(this.target),
      args: this.encodedArgs.values,
      ...(boot === undefined ? {} : { boot }),
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
      this.received(message as ToParent & { $weftThread: 'done' });
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
  protected updateRef(): void {
    const worker = this.worker;
    if (worker === undefined) return;
    if (!this.daemonic || this.heldByChildren || this.joiners > 0) worker.ref();
    else worker.unref();
  }

  private exited(code: number): void {
    const name = this.name; // the last name it had, before its entry goes
    this.givenName = name;
    threadTable().release(this.key!);
    untrackStarted(this.threadIdent!);
    this.worker = undefined;
    if (!this.daemonic) holdParent(-1);
    if (this.heldByChildren) {
      this.heldByChildren = false;
      holdParent(-1);
    }
    // A worker terminated before it ran any code reports 0; a terminated thread reports 1.
    this.ended(this.terminated && code === 0 ? 1 : code);
  }
}

/** Python's default name: `Thread-N (target)`, N counting across the whole process. */
function defaultName(target: Target): string {
  const number = threadTable().nextNameNumber();
  return target.name ? `Thread-${number} (${target.name})` : `Thread-${number}`;
}

function ignore(): void {}
