/**
 * The live pools and queues of this program, for the local dashboard: each one made while a
 * local dashboard runs is registered here by a weak reference (it never keeps one alive), and
 * answers `[LOOK]()` with its figures when the dashboard looks.
 *
 * Only while a dashboard runs: a `WeakRef` costs more than making a `Queue` does (a few
 * hundred ns against about a hundred), and V8 holds its target until the current macrotask
 * ends, so a program that makes many queues in one long turn would keep them all till then.
 * With no dashboard, registering is one check of a flag.
 * @module
 */

/** The method that answers a look. */
export const LOOK: unique symbol = Symbol('weft.look');

/** How a queue or a pool ended: `graceful` lets its work finish, `immediate` drops it. */
export type StopMode = 'graceful' | 'immediate';

/** What a queue kind (`Queue` and kin, `SharedQueue`) says of itself. */
export interface QueueLook {
  readonly kind: 'queue';
  /** Its class, as the generated label names it (`Queue`, `PriorityQueue`, ...). */
  readonly type: string;
  /** The name it was given, or `null` (then the dashboard makes a label). */
  readonly name: string | null;
  /** What the generated label adds after the number, e.g. `maxsize 10`. */
  readonly detail: string;
  /** Items in it now (`qsize()`). */
  readonly waiting: number;
  /** Items put and not yet marked `taskDone()` (or dropped). */
  readonly unfinished: number;
  /** Items ever put. */
  readonly put: number;
  /** Items ever handed to a getter. */
  readonly got: number;
  readonly shutDown: StopMode | null;
}

/** One worker of a pool. */
export interface WorkerLook {
  /** `thread` or `process`. */
  readonly mode: string;
  /** Its thread id, or its process id. */
  readonly id: number;
  readonly state: 'starting' | 'running';
  /** The task it runs now (`module#export`) and since when (`performance.now()` ms), or `null`: idle. */
  readonly current: { readonly task: string; readonly since: number } | null;
  readonly done: number;
  readonly failed: number;
}

/** What an executor or a pool says of itself. */
export interface PoolLook {
  readonly kind: 'pool';
  readonly type: string;
  readonly name: string | null;
  readonly detail: string;
  /** Tasks not started yet. */
  readonly waiting: number;
  /** Tasks running now. */
  readonly running: number;
  readonly submitted: number;
  readonly done: number;
  readonly failed: number;
  /** Its workers (a `TaskPool` has none: `null`). */
  readonly workers: readonly WorkerLook[] | null;
  readonly shutDown: StopMode | null;
}

export type Look = QueueLook | PoolLook;

/** Something the local dashboard can look at. */
export interface Lookable {
  [LOOK](): Look;
}

/**
 * Ms between two sweeps of the dead references. Not at registration: a sweep must `deref()`
 * every reference, which keeps each target alive to the end of the macrotask, and sweeping
 * while a program makes queues by the thousand would keep its dropped ones from being
 * collected young.
 */
const SWEEP_MS = 1_000;

let watchers = 0;
let refs: WeakRef<Lookable>[] = [];
let sweeper: NodeJS.Timeout | undefined;

/** Registers `object` while a local dashboard runs; nothing otherwise. Call it at the end of a constructor. */
export function registerLive(object: Lookable): void {
  if (watchers !== 0) refs.push(new WeakRef(object));
}

/**
 * Starts registering (a local dashboard opens); the returned function stops it. Once the last
 * dashboard stopped, the registry is emptied: a dashboard opened later sees only what is
 * made after it.
 */
export function watchLive(): () => void {
  if (watchers++ === 0) {
    sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref();
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--watchers === 0) {
      clearInterval(sweeper);
      refs = [];
    }
  };
}

/** The registered objects still alive, oldest first (the dead are dropped on the way). */
export function liveObjects(): Lookable[] {
  sweep();
  const live: Lookable[] = [];
  for (const ref of refs) {
    const object = ref.deref();
    if (object !== undefined) live.push(object);
  }
  return live;
}

/** @internal The references held now, the dead not yet swept out included (for tests). */
export function liveReferenceCount(): number {
  return refs.length;
}

function sweep(): void {
  let kept = 0;
  for (const ref of refs) if (ref.deref() !== undefined) refs[kept++] = ref;
  refs.length = kept;
}
