/**
 * What `Thread` and `Process` share: a target run elsewhere once, with Python's lifecycle
 * (`start` once, `join` with a timeout, `isAlive`, the daemon flag settable before start),
 * its outcome (`result`, `exception`, `exitCode`) and the report of an exception nobody
 * read. Each subclass starts its worker and reports how it ended.
 * @module
 */
import { decodeValue } from '../codec/codec.js';
import { whenValueDecodable } from '../codec/decodable.js';
import { decodeError } from '../codec/error-codec.js';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { type ReportForm, reportUnobservedLater } from '../core/unobserved-report.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError, WorkerCrashedError } from '../errors.js';
import { refuseWhileImporting } from '../portable/bootstrap-guard.js';
import type { AnyFunction } from '../portable/portable.js';

export type { AnyFunction };

/** Where a runner is in its life. */
export type Phase = 'initial' | 'started' | 'stopped';

/** How the target ended: its value, or what it threw (or why it could not run). */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** An outcome as it arrived from the worker, encoded. */
export interface EncodedOutcome {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: unknown;
}

/** The lifecycle shared by `Thread` and `Process`. */
export abstract class Runner<F extends AnyFunction> {
  /** @internal `'thread'` or `'process'`: in messages, and in the unread-exception report. */
  abstract readonly reportAs: 'thread' | 'process';
  abstract name: string;

  /** @internal */
  protected daemonic: boolean;
  /** @internal */
  protected phase: Phase = 'initial';
  /** @internal */
  protected code: number | null = null;
  /** @internal */
  protected outcome: Outcome | undefined = undefined;
  /** @internal How many callers wait in `join()` (a waiting caller keeps the process alive). */
  protected joiners = 0;
  private observed = false;
  private waiters: WaiterQueue<boolean> | undefined = undefined;
  /** The outcome being decoded once the portable classes it names are loaded; `ended` waits. */
  private decoding: Promise<void> | undefined = undefined;

  protected constructor(daemon: boolean) {
    this.daemonic = daemon;
  }

  /** Whether it does not keep its parent alive; settable only before `start()`. */
  get daemon(): boolean {
    return this.daemonic;
  }

  set daemon(daemon: boolean) {
    if (this.phase !== 'initial') {
      throw new RuntimeError(
        `cannot set the daemon flag of ${this.reportAs} ${this.name}: it has started`,
      );
    }
    if (typeof daemon !== 'boolean') {
      throw new TypeError(`${this.className}.daemon must be a boolean, got ${describe(daemon)}`);
    }
    this.daemonic = daemon;
  }

  /** `null` until it has ended; then its exit code. */
  get exitCode(): number | null {
    return this.code;
  }

  /** The target's return value (awaited) once it has ended, else `undefined`. */
  get result(): Awaited<ReturnType<F>> | undefined {
    if (this.phase !== 'stopped' || this.outcome?.ok !== true) return undefined;
    return this.outcome.value as Awaited<ReturnType<F>>;
  }

  /** What the target threw (class, message, stack, fields kept), once it has ended that way. */
  get exception(): unknown {
    if (this.phase !== 'stopped' || this.outcome?.ok !== false) return undefined;
    this.observed = true;
    return this.outcome.error;
  }

  /** Whether it has started and not yet ended. */
  isAlive(): boolean {
    return this.phase === 'started';
  }

  /**
   * Waits for it to end: `true` once it has, `false` on timeout. Never rejects with the
   * target's exception (read `exception`); rejects with `RuntimeError` when it was never
   * started.
   */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.className}.join`);
      if (refused) return refused;
    }
    const unstarted = this.refuseUnstarted('join');
    if (unstarted) return unstarted;
    if (this.phase === 'stopped') return RESOLVED_TRUE;
    this.joiners++;
    this.updateRef();
    return this.doneQueue()
      .wait(opts, falseOnTimeout)
      .finally(() => this.releaseReport());
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

  /** Keeps the parent alive, or lets it go, as the daemon flag and the joiners say. */
  protected abstract updateRef(): void;

  /**
   * Throws `RuntimeError` when `start()` was called before, or when called from the top level
   * of a module a worker is importing to find its target (the bootstrapping guard).
   */
  protected refuseRestart(): void {
    if (this.phase !== 'initial') {
      const many = this.reportAs === 'thread' ? 'threads' : 'processes';
      throw new RuntimeError(`${many} can only be started once (${this.name} was started already)`);
    }
    refuseWhileImporting(`starting ${this.reportAs} ${this.name}`);
  }

  /** The rejection for `method` called before `start()`, or `undefined` once started. */
  protected refuseUnstarted(method: string): Promise<never> | undefined {
    if (this.phase !== 'initial') return undefined;
    return Promise.reject(
      new RuntimeError(`cannot ${method} ${this.reportAs} ${this.name} before it is started`),
    );
  }

  /** The worker died of something its own code could not report. */
  protected crashed(error: Error, how: string): void {
    this.outcome ??= {
      ok: false,
      error: new WorkerCrashedError(`${this.reportAs} ${this.name} ${how}: ${error.message}`, {
        cause: error,
      }),
    };
  }

  /** Resolves once it has ended, whoever waits (a task being killed included). */
  protected whenEnded(): Promise<void> {
    return this.doneQueue()
      .waitIgnoringTask()
      .then(() => undefined);
  }

  /** The target's outcome arrived, encoded: decode it (the first one counts). */
  protected received(done: EncodedOutcome): void {
    if (this.outcome !== undefined || this.decoding !== undefined) return;
    const classes = whenValueDecodable(done.ok ? done.value : done.error);
    if (classes === undefined) {
      this.outcome = decodeOutcome(done);
      return;
    }
    this.decoding = classes
      .then(
        () => decodeOutcome(done),
        (error: unknown): Outcome => ({ ok: false, error }),
      )
      .then((outcome) => {
        this.outcome ??= outcome;
        this.decoding = undefined;
      });
  }

  /** It has ended with `code`: wake the joiners, report an exception nobody will read. */
  protected ended(code: number): void {
    if (this.decoding !== undefined) {
      // Its outcome is still being decoded: it has ended once that is known.
      void this.decoding.then(() => this.ended(code));
      return;
    }
    this.phase = 'stopped';
    this.code = code;
    this.waiters?.wakeAll(true);
    if (this.outcome?.ok === false && !this.observed && this.joiners === 0) this.reportLater();
  }

  private releaseReport(): void {
    if (--this.joiners > 0) return;
    this.updateRef();
    if (this.phase === 'stopped' && this.outcome?.ok === false && !this.observed) {
      this.reportLater();
    }
  }

  private reportLater(): void {
    reportUnobservedLater(this, this.reportAs === 'thread' ? THREAD_REPORT : PROCESS_REPORT);
  }

  private doneQueue(): WaiterQueue<boolean> {
    return (this.waiters ??= new WaiterQueue<boolean>());
  }

  private get className(): string {
    return this.reportAs === 'thread' ? 'Thread' : 'Process';
  }
}

/** `done` decoded; an outcome that cannot be decoded here is a failure saying why. */
function decodeOutcome(done: EncodedOutcome): Outcome {
  try {
    return done.ok
      ? { ok: true, value: decodeValue(done.value) }
      : { ok: false, error: decodeError(done.error) };
  } catch (error) {
    return { ok: false, error };
  }
}

function reportForm(what: 'thread' | 'process'): ReportForm<Runner<AnyFunction>> {
  return {
    warning: what === 'thread' ? 'UnobservedThreadError' : 'UnobservedProcessError',
    code: what === 'thread' ? 'WEFT_UNOBSERVED_THREAD_ERROR' : 'WEFT_UNOBSERVED_PROCESS_ERROR',
    field: 'thread',
    message: (runner) =>
      `Exception in ${what} ${runner.name}, and nobody read it (join the ${what}, then read ${what}.exception)`,
  };
}

const THREAD_REPORT = reportForm('thread');
const PROCESS_REPORT = reportForm('process');
