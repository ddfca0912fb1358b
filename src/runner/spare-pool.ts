/**
 * Spares for warm start (Python's forkserver, generalised): workers booted ahead — weft's
 * entry loaded, waiting for a target — so that the next `start()` hands its target to one
 * instead of booting a worker. `Thread` and `Process` each keep a pool of them; what a spare
 * is (a `Worker`, a child process) is up to the kind.
 *
 * A spare never keeps the program alive (the kind unrefs it) and never outlives it. One
 * that dies while idle is dropped; the pool fills up again at the next start it serves.
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';

/** A spare worker as the pool holds it. */
export interface Spare<W> {
  readonly worker: W;
  /** What the worker was started with (its environment, ...), compared at hand-over. */
  readonly startedWith: string;
  /** Stops listening for the spare's death: it is handed over. */
  release(): void;
  /** Ends the idle spare; resolves once it has ended. */
  stop(): Promise<void>;
  /** Resolves once the spare has loaded its entry and waits for a target (or has ended). */
  readonly booted: Promise<void>;
}

/** How a kind of spare is started: `died` is called if it ends while still idle. */
export type StartSpare<W> = (died: () => void) => Spare<W>;

/** How long after a spare was taken its replacement starts (ms). */
const REPLACE_AFTER_MS = 50;

/** The spares of one kind in this thread: how many are wanted, and those booted. */
export class SparePool<W> {
  private wanted = 0;
  private readonly idle: Spare<W>[] = [];
  private readonly booted = new WeakSet<Spare<W>>();
  private readyWaiters: WaiterQueue<boolean> | undefined = undefined;
  private replacing: NodeJS.Timeout | undefined = undefined;

  constructor(private readonly startSpare: StartSpare<W>) {}

  /** @internal The idle spares' workers, booted or booting (for tests). */
  workers(): W[] {
    return this.idle.map((spare) => spare.worker);
  }

  /**
   * Resolves `true` once every spare wanted is booted (a replacement due is started now; one
   * that fails to boot is dropped, not waited for), `false` on timeout. The wait keeps the program alive, as any wait does, though the
   * spares themselves do not.
   */
  ready(opts: WaitOptions | undefined): Promise<boolean> {
    this.fill();
    if (this.allBooted()) return RESOLVED_TRUE;
    const hold = setInterval(ignore, 1 << 30);
    return (this.readyWaiters ??= new WaiterQueue<boolean>())
      .wait(opts, falseOnTimeout)
      .finally(() => clearInterval(hold));
  }

  /** No spare is still booting (one that failed to boot is gone: no wait for it to come). */
  private allBooted(): boolean {
    return this.idle.every((spare) => this.booted.has(spare));
  }

  /** A spare booted or ended: wake those waiting in `ready()` once all are booted. */
  private settled(): void {
    if (this.allBooted()) this.readyWaiters?.wakeAll(true);
  }

  /** Wants `delta` more (or, negative, fewer) spares: starts the missing, stops the extra. */
  keep(delta: number): Promise<void> {
    this.wanted = Math.max(0, this.wanted + delta);
    const extra = this.idle.splice(this.wanted);
    this.fill();
    return Promise.all(extra.map((spare) => spare.stop())).then(() => undefined);
  }

  /**
   * An idle spare started with `startedWith`, taken out of the pool (a replacement starts
   * a little later), or `undefined` when there is none: then the caller starts cold. Spares
   * started with something else (the environment changed since) are stopped.
   */
  take(startedWith: string): W | undefined {
    let found: Spare<W> | undefined;
    for (const spare of this.idle.splice(0)) {
      if (spare.startedWith !== startedWith) void spare.stop();
      else if (found === undefined) found = spare;
      else this.idle.push(spare);
    }
    if (this.wanted > 0) this.replaceLater();
    found?.release();
    return found?.worker;
  }

  /**
   * Starts the replacements a little later: booting one takes a core for a while, which the
   * start just served needs first (on a machine of two cores, that halves its speed).
   * `ready()` starts them at once.
   */
  private replaceLater(): void {
    if (this.replacing !== undefined) return;
    this.replacing = setTimeout(() => {
      this.replacing = undefined;
      this.fill();
    }, REPLACE_AFTER_MS);
    this.replacing.unref();
  }

  private fill(): void {
    while (this.idle.length < this.wanted) {
      const spare: Spare<W> = this.startSpare(() => {
        const at = this.idle.indexOf(spare);
        if (at >= 0) this.idle.splice(at, 1);
        this.settled();
      });
      this.idle.push(spare);
      void spare.booted.then(() => {
        this.booted.add(spare);
        this.settled();
      });
    }
  }
}

/** What `watchSpare` gives a kind of spare: when it has booted, and how to stop watching. */
export interface SpareWatch {
  readonly booted: Promise<void>;
  release(): void;
}

/**
 * Watches an idle spare (a `Worker` or a child process): `booted` settles at its `ready`
 * answer (which `isReady` recognises) or at its end; `died` runs if it fails or ends — it is
 * dropped then, and its error is nobody's to report.
 */
export function watchSpare(
  spare: EventEmitter,
  isReady: (message: unknown) => boolean,
  died: () => void,
): SpareWatch {
  let settle!: () => void;
  const booted = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const ended = (): void => {
    settle();
    died();
  };
  const answered = (message: unknown): void => {
    if (isReady(message)) settle();
  };
  spare.on('error', ended);
  spare.on('exit', ended);
  spare.on('message', answered);
  return {
    booted,
    release() {
      spare.off('error', ended);
      spare.off('exit', ended);
      spare.off('message', answered);
    },
  };
}

/**
 * What a worker started now inherits that a later start might not (the environment, the
 * working directory): a spare is handed only to a start that would inherit the same.
 */
export function inheritedNow(): string {
  return JSON.stringify([process.cwd(), process.env]);
}

function ignore(): void {}
