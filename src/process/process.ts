/**
 * `Process` — Python's `multiprocessing.Process` on a forked Node child: the same
 * lifecycle (`start` once, `join` with a timeout, `isAlive`, `pid`, `exitCode` negative
 * after a signal, `terminate`, `kill`, daemon children), plus the target's `result` and
 * its `exception`. Values cross by V8 serialization, which runs no code while decoding.
 * @module
 */
// Every kind of primitive an argument may hold must be known before one crosses.
import '../kinds.js';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { inspect } from 'node:util';
import { encodeValues } from '../codec/codec.js';
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
import { type AnyFunction, type EncodedOutcome, Runner } from '../runner/runner.js';
import { inheritedNow } from '../runner/spare-pool.js';
import { forkChild } from './process-start.js';
import { exitingCode, processMessageKind, type RunMessage } from './protocol.js';
import { currentProcess, trackChild, untrackChild } from './registry.js';
import { setRef, spareProcesses } from './spare-processes.js';

/** Options of `new Process(target, options)`. */
export interface ProcessOptions<A extends readonly unknown[] = unknown[]> {
  /** The target's arguments; each must be able to cross into a process (checked here). */
  args?: A;
  /** The process's name; default `Process-N`, N counting the processes this one created. */
  name?: string;
  /** A daemon process is terminated when its parent exits and does not keep it alive; default: this process's flag. */
  daemon?: boolean;
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Node flags for the child, added after this process's own (which carry a TypeScript loader, if any). */
  execArgv?: string[];
}

let created = 0;

/**
 * A function running in a child process. The target is a portable function — `export
 * const work = portable(import.meta.url, fn)` — or `{ module, name }`; its arguments cross
 * by V8 serialization, and weft primitives among them (a Queue, a Lock, a Pipe end, a
 * Manager's dict, ...) arrive as working handles on the same objects.
 *
 * As in Python: `start()` once (again → `RuntimeError`); `join({ timeout })` resolves
 * `false` while the child runs; `exitCode` is `null` until it ends, then its exit code, or
 * minus the signal number when a signal ended it (`terminate()` sends SIGTERM, `kill()`
 * SIGKILL); daemon children are terminated when the parent exits, the others keep it alive.
 * A child never outlives its parent: it exits as soon as its parent dies, by any cause.
 * The child ends when its target returns (after its own non-daemon children end).
 *
 * @example
 * ```ts
 * // work.ts
 * export const square = portable(import.meta.url, (n: number) => n * n);
 * // main.ts
 * const child = new Process(square, { args: [7] });
 * child.start();
 * await child.join();
 * console.log(child.exitCode, child.result); // 0 49
 * ```
 */
// (Structurally also a ChildProcessEntry, through members kept out of the published types.)
export class Process<F extends AnyFunction = AnyFunction> extends Runner<F> {
  /** The process's name (Python's `Process.name`). */
  name: string;
  /** @internal */
  readonly reportAs = 'process';
  private readonly target: Target;
  private readonly args: unknown[];
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly execArgv: string[];
  private child: ChildProcess | undefined = undefined;
  private processId: number | undefined = undefined;
  /** The code the child announced it ends with by SIGKILL (child-exit.ts). */
  private announcedCode: number | undefined = undefined;
  /** Whether this side sent a SIGKILL: then a SIGKILL ending is one, whatever was announced. */
  private killSent = false;

  /**
   * Checks the target and the arguments at the call: a TypeError says what cannot run or
   * cross into a process. Does not start it.
   */
  constructor(target: Portable<F>, options?: ProcessOptions<SendableArgs<Parameters<F>>>);
  constructor(target: PortableTarget, options?: ProcessOptions);
  constructor(target: Target, options: ProcessOptions<SendableArgs<Parameters<F>>> = {}) {
    checkTarget(target, 'new Process(target)');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new Process(target, options): options must be an object, got ${describe(options)}`,
      );
    }
    refuseUnknownOptions(
      options,
      ['args', 'name', 'daemon', 'env', 'execArgv'],
      'new Process(target, options)',
    );
    const { args = [], name, daemon, env, execArgv = [] } = options as ProcessOptions;
    if (!Array.isArray(args)) {
      throw new TypeError(
        `new Process(target, { args }): args must be an array, got ${describe(args)}`,
      );
    }
    if (daemon !== undefined && typeof daemon !== 'boolean') {
      throw new TypeError(
        `new Process(target, { daemon }): daemon must be a boolean, got ${describe(daemon)}`,
      );
    }
    if (env !== undefined && (env === null || typeof env !== 'object')) {
      throw new TypeError(
        `new Process(target, { env }): env must be an object of strings, got ${describe(env)}`,
      );
    }
    if (!Array.isArray(execArgv) || execArgv.some((arg) => typeof arg !== 'string')) {
      throw new TypeError(
        `new Process(target, { execArgv }): execArgv must be an array of strings, got ${describe(execArgv)}`,
      );
    }
    super(daemon ?? currentProcess().daemon);
    // A relative { module } is resolved now, against the file of the code that gave it.
    this.target =
      typeof target === 'function'
        ? target
        : { module: anchorModule(target.module), name: target.name };
    // Checked (and primitives prepared) now, so a value that cannot cross fails here.
    this.args = encodeValues(args, 'new Process(target, { args })', 'argument', 'process').values;
    this.env = env;
    this.execArgv = execArgv;
    created++;
    this.name = name === undefined || String(name) === '' ? `Process-${created}` : String(name);
  }

  /** The OS process id once started (kept after it ends), else `undefined`. */
  get pid(): number | undefined {
    return this.processId;
  }

  /** Python's `ident`: the same as `pid`. */
  get ident(): number | undefined {
    return this.processId;
  }

  /** Starts the child process. Throws `RuntimeError` when called twice. */
  start(): void {
    this.refuseRestart();
    // A spare forked ahead (warm start) serves a process with the options it was forked with.
    const spare =
      this.env === undefined && this.execArgv.length === 0
        ? spareProcesses.take(inheritedNow())
        : undefined;
    const child = spare ?? forkChild(this.env, this.execArgv);
    // The target first: a spare starts on it while this thread does the bookkeeping.
    this.sendTarget(child);
    this.phase = 'started';
    this.child = child;
    this.processId = child.pid;
    trackChild(this);
    child.on('message', (message: unknown) => this.receive(message));
    // The child could not be started or reached (no such executable, a broken channel).
    child.on('error', (error: Error) => this.crashed(error, 'failed'));
    child.on('exit', (code, signal) => {
      // Every message the child sent is read before it counts as ended: its channel closes
      // at its death, after them ('exit' may come first).
      if (child.connected) child.once('disconnect', () => this.exited(code, signal));
      else this.exited(code, signal);
    });
    this.updateRef();
  }

  private sendTarget(child: ChildProcess): void {
    const run: RunMessage = {
      $weftProcess: 'run',
      target: targetRef(this.target),
      args: this.args,
      name: this.name,
      daemon: this.daemonic,
      parent: { pid: process.pid, name: currentProcess().name },
    };
    child.send(run, undefined, {}, (error) => {
      if (error !== null) this.crashed(error, 'failed');
    });
  }

  /** Sends SIGTERM (Python's `terminate()`); resolves once the process has ended. */
  terminate(): Promise<void> {
    return this.signal('SIGTERM', 'terminate');
  }

  /** Sends SIGKILL (Python's `kill()`); resolves once the process has ended. */
  kill(): Promise<void> {
    return this.signal('SIGKILL', 'kill');
  }

  /** Python's repr: `<Process name='worker' pid=123 parent=45 started daemon>`. */
  override toString(): string {
    const state =
      this.phase === 'initial'
        ? 'initial'
        : this.phase === 'started'
          ? 'started'
          : `stopped exitcode=${this.code}`;
    const pid = this.processId === undefined ? '' : ` pid=${this.processId} parent=${process.pid}`;
    return `<Process name='${this.name}'${pid} ${state}${this.daemonic ? ' daemon' : ''}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** @internal The parent is exiting: a daemon child goes with it. */
  terminateAtExit(): void {
    this.child?.kill('SIGTERM');
  }

  private signal(signal: NodeJS.Signals, method: string): Promise<void> {
    const unstarted = this.refuseUnstarted(method);
    if (unstarted) return unstarted;
    if (this.phase === 'stopped') return RESOLVED_VOID;
    // A daemon child is unreferenced: keep the loop alive until its exit is seen, or the
    // returned promise could be left pending with nothing left to run.
    this.child!.ref();
    if (signal === 'SIGKILL') this.killSent = true;
    this.child!.kill(signal);
    return this.whenEnded();
  }

  private receive(message: unknown): void {
    const kind = processMessageKind(message);
    if (kind === 'exiting') this.announcedCode = exitingCode(message);
    if (kind !== 'done') return;
    this.received(message as EncodedOutcome);
  }

  /** A daemon child does not keep this process alive, except while someone waits in `join()`. */
  protected updateRef(): void {
    if (this.child !== undefined) setRef(this.child, !this.daemonic || this.joiners > 0);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.phase === 'stopped') return;
    this.child = undefined;
    untrackChild(this);
    // The child ended itself by SIGKILL once all was flushed, standing for the code it announced.
    const announced = signal === 'SIGKILL' && !this.killSent ? this.announcedCode : undefined;
    this.ended(announced ?? code ?? -(constants.signals[signal as NodeJS.Signals] ?? 0));
  }
}
