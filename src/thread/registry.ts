/**
 * `currentThread()`, `mainThread()`, `enumerate()`, `activeCount()` — in the main thread
 * and in every worker.
 *
 * Every weft thread shares one table of live threads with the rest of the process (a
 * growable `SharedArrayBuffer`, see thread-table.ts), so the answers are Python's in every
 * thread: the whole process's live threads, read at once, without asking the main thread
 * (which may be busy) for them. Threads started by the calling thread come back as their
 * own `Thread` objects; other threads as `ThreadInfo` views on their table entry (name,
 * ident, daemon, `isAlive()`, `join()`), one stable object per thread.
 * @module
 */
import { inspect } from 'node:util';
import { isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import { refuseWait, type WaitOptions } from '../core/options.js';
import { falseOnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';
import { BOOT, type HoldMessage, REGISTRY_STATE, type ThreadBoot } from './protocol.js';
import { MAIN_KEY, type TableEntry, type TableKey, ThreadTable } from './thread-table.js';

/** What every thread object offers: a `Thread`, the main thread, or another thread's view. */
export interface ThreadInfo {
  /** The thread's name (settable; other threads see the new name). */
  name: string;
  /** The thread's id (`worker_threads`' `threadId`; `0` for the main thread), once started. */
  readonly ident: number | undefined;
  /** Whether the thread does not keep the process alive. */
  readonly daemon: boolean;
  /** Whether the thread has started and not yet ended. */
  isAlive(): boolean;
  /** Waits for the thread to end: `true` once it has, `false` on timeout. */
  join(opts?: WaitOptions): Promise<boolean>;
}

/** What this thread knows: the shared table, itself, and the threads it started. */
interface LocalState {
  readonly table: ThreadTable;
  readonly self: ThreadView;
  /** `Thread` objects started here and not yet ended, by ident. */
  readonly started: Map<number, StartedThread>;
  /** Views on other threads, by slot and generation. */
  views: Map<string, ThreadView>;
  /** Threads started here that keep the process alive (see `holdParent`). */
  holds: number;
  holdWaiters: WaiterQueue<boolean> | undefined;
  /** Whether the main thread watches its exit for daemon threads that must keep it alive. */
  exitGuard: boolean;
  /** A weft thread (told to keep its parent informed), not the main thread or a foreign worker. */
  readonly weftWorker: boolean;
}

// One state per thread, even if this module is loaded twice (from src and from dist).
const STATE = REGISTRY_STATE;
type Holder = { [STATE]?: LocalState };

function state(): LocalState {
  const holder = globalThis as Holder;
  return (holder[STATE] ??= initialState());
}

function initialState(): LocalState {
  const boot =
    workerData !== null && typeof workerData === 'object'
      ? ((workerData as Record<string, unknown>)[BOOT] as ThreadBoot | undefined)
      : undefined;
  if (!isMainThread && boot !== undefined) return bootedState(boot);
  const table = ThreadTable.create();
  if (isMainThread) return newState(table, new ThreadView(table, MAIN_KEY, 0, false, 'MainThread'));
  // A worker weft did not start (a raw Worker): it knows the main thread and itself, and
  // registers as a daemon "dummy" thread, as Python registers threads it did not start.
  const name = `Dummy-${table.nextNameNumber()}`;
  const key = table.claim(-1, true, name, threadId);
  table.activate(key, threadId);
  return newState(table, new ThreadView(table, key, threadId, true, name));
}

function bootedState(boot: ThreadBoot): LocalState {
  const table = new ThreadTable(boot.table);
  return newState(table, new ThreadView(table, boot, threadId, boot.daemon, boot.name), true);
}

/**
 * @internal A spare thread, booted ahead for warm start, learns who it is from its run
 * message: from then on it is that thread, as if it had been started as it.
 */
export function becomeThread(boot: ThreadBoot): void {
  (globalThis as Holder)[STATE] = bootedState(boot);
}

function newState(table: ThreadTable, self: ThreadView, weftWorker = false): LocalState {
  return {
    table,
    self,
    started: new Map(),
    views: new Map(),
    holds: 0,
    holdWaiters: undefined,
    exitGuard: false,
    weftWorker,
  };
}

/**
 * The thread the calling code runs in. In the main thread that is `mainThread()`; in a
 * thread started with `Thread`, a view of it (its name, ident and daemon flag — the
 * target can read and change its own name).
 */
export function currentThread(): ThreadInfo {
  return state().self;
}

/** The main thread (`MainThread`, ident 0), from any thread. */
export function mainThread(): ThreadInfo {
  const local = state();
  if (isMainThread) return local.self;
  return viewOf(local, local.table.entry(MAIN_KEY)) ?? cachedView(local, MAIN_KEY, 0, false);
}

/**
 * Every live thread of the process — the main thread, every `Thread` started and not yet
 * ended (wherever it was started), and the calling thread — in start order.
 */
export function enumerate(): ThreadInfo[] {
  const local = state();
  const live: ThreadInfo[] = [];
  const views = new Map<string, ThreadView>();
  let sawSelf = false;
  for (const entry of local.table.entries()) {
    const own = local.started.get(entry.ident);
    if (own !== undefined) {
      live.push(own);
      continue;
    }
    const view = viewOf(local, entry)!;
    views.set(viewKey(entry), view);
    if (view === local.self) sawSelf = true;
    live.push(view);
  }
  // The calling thread is alive, whatever its entry says in the instant it starts.
  if (!sawSelf) live.push(local.self);
  local.views = views; // views of ended threads are forgotten
  return live;
}

/** How many threads are alive: `enumerate().length`. */
export function activeCount(): number {
  return enumerate().length;
}

function viewKey(key: TableKey): string {
  return `${key.slot}:${key.gen}`;
}

function viewOf(local: LocalState, entry: TableEntry | undefined): ThreadView | undefined {
  if (entry === undefined) return undefined;
  return cachedView(local, entry, entry.ident, entry.daemon, entry.name);
}

function cachedView(
  local: LocalState,
  key: TableKey,
  ident: number,
  daemon: boolean,
  name = 'MainThread',
): ThreadView {
  if (key.slot === local.self.key.slot && key.gen === local.self.key.gen) return local.self;
  const at = viewKey(key);
  let view = local.views.get(at);
  if (view === undefined) {
    view = new ThreadView(local.table, { slot: key.slot, gen: key.gen }, ident, daemon, name);
    local.views.set(at, view);
  }
  return view;
}

/** The full name of `entry`, using `known` when the table holds only its beginning. */
export function fullName(entry: TableEntry, known: string): string {
  if (entry.name.length === entry.nameLength) return entry.name;
  return known.length === entry.nameLength && known.startsWith(entry.name) ? known : entry.name;
}

/** Python's repr of a thread: `<Thread(name, started daemon 3)>`. */
export function threadRepr(
  kind: string,
  name: string,
  status: 'initial' | 'started' | 'stopped',
  daemon: boolean,
  ident: number | undefined,
): string {
  const parts: string[] = [status];
  if (daemon) parts.push('daemon');
  if (ident !== undefined) parts.push(String(ident));
  return `<${kind}(${name}, ${parts.join(' ')})>`;
}

/** A thread this thread did not start, seen through its entry in the shared table. */
class ThreadView implements ThreadInfo {
  private lastName: string;
  private waiters: WaiterQueue<boolean> | undefined = undefined;
  private watching = false;

  constructor(
    private readonly table: ThreadTable,
    readonly key: TableKey,
    readonly ident: number,
    readonly daemon: boolean,
    name: string,
  ) {
    this.lastName = name;
  }

  get name(): string {
    const entry = this.table.entry(this.key);
    if (entry !== undefined) this.lastName = fullName(entry, this.lastName);
    return this.lastName;
  }

  set name(name: string) {
    this.lastName = String(name);
    this.table.rename(this.key, this.lastName);
  }

  isAlive(): boolean {
    return this === state().self || this.table.isAlive(this.key);
  }

  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'Thread.join');
      if (refused) return refused;
    }
    if (this === state().self) {
      return Promise.reject(
        new RuntimeError(`cannot join the current thread (${this.name}): it would wait for itself`),
      );
    }
    if (!this.table.isAlive(this.key)) return RESOLVED_TRUE;
    const waiters = (this.waiters ??= new WaiterQueue<boolean>());
    this.watchEnd();
    keepLoopAlive(1);
    return waiters.wait(opts, falseOnTimeout).finally(() => keepLoopAlive(-1));
  }

  /** Waits (without blocking) for the thread's slot to change, then wakes the joiners. */
  private watchEnd(): void {
    if (this.watching) return;
    this.watching = true;
    const { words, index } = this.table.endWatch(this.key);
    const ended = (): void => {
      this.watching = false;
      if (!this.table.isAlive(this.key)) this.waiters?.wakeAll(true);
      else if (this.waiters !== undefined && this.waiters.length > 0) this.watchEnd();
    };
    const wait = (
      Atomics as unknown as {
        waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown };
      }
    ).waitAsync(words, index, this.key.gen);
    if (wait.async) (wait.value as Promise<string>).then(ended);
    else ended();
  }

  toString(): string {
    const kind = this.key.slot === MAIN_KEY.slot && this.ident === 0 ? '_MainThread' : 'Thread';
    return threadRepr(
      kind,
      this.name,
      this.isAlive() ? 'started' : 'stopped',
      this.daemon,
      this.ident,
    );
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

// A wait in `join()` keeps the event loop going, as a Python thread blocked in join() keeps
// the process running; `Atomics.waitAsync` alone would not.
let loopHolds = 0;
let loopTimer: NodeJS.Timeout | undefined;

function keepLoopAlive(delta: 1 | -1): void {
  loopHolds += delta;
  if (loopHolds > 0 && loopTimer === undefined) loopTimer = setInterval(ignore, 1 << 30);
  else if (loopHolds === 0 && loopTimer !== undefined) {
    clearInterval(loopTimer);
    loopTimer = undefined;
  }
}

function ignore(): void {}

// Internal API for Thread and the worker entry.

/** @internal The shared table, made on first use in the main thread. */
export function threadTable(): ThreadTable {
  return state().table;
}

/**
 * @internal Where this thread stands in the process's table, or `undefined` in a worker weft
 * did not start (its table is its own, so other threads cannot look it up).
 */
export function currentTableKey(): TableKey | undefined {
  const local = state();
  return isMainThread || local.weftWorker ? local.self.key : undefined;
}

/** What the registry needs of a `Thread` started here. */
export interface StartedThread extends ThreadInfo {
  /** Keeps a daemon thread's worker ref'd while threads inside it must keep the process alive. */
  holdForChildren(on: boolean): void;
}

/** @internal `thread` (started here, with ident `ident`) is alive: `enumerate()` returns it. */
export function trackStarted(ident: number, thread: StartedThread): void {
  const local = state();
  local.started.set(ident, thread);
  if (isMainThread && !local.exitGuard) {
    local.exitGuard = true;
    process.on('beforeExit', keepAliveForDescendants);
  }
}

/** @internal The thread started here with ident `ident` has ended (its table entry is gone). */
export function untrackStarted(ident: number): void {
  const local = state();
  local.started.delete(ident);
  local.holdWaiters?.wakeAll(true);
}

/**
 * @internal A thread started here begins (`+1`) or stops (`-1`) keeping the process
 * alive. A weft worker tells its parent when the first such thread starts and when the
 * last one ends, so that a daemon thread whose own threads are not daemons still keeps the
 * process alive, as in Python; its target's end waits for them (`whenChildrenDone`).
 */
export function holdParent(delta: 1 | -1): void {
  const local = state();
  const before = local.holds;
  local.holds += delta;
  if (local.weftWorker && (before === 0) !== (local.holds === 0)) {
    const message: HoldMessage = { $weftThread: 'hold', on: local.holds > 0 };
    parentPort?.postMessage(message);
  }
  local.holdWaiters?.wakeAll(true);
}

/**
 * @internal Resolves once no thread started in this one (or beneath it) keeps the
 * process alive: the table, shared memory, shows a non-daemon thread beneath this one
 * even before its parent's message saying so has arrived.
 */
export async function whenChildrenDone(): Promise<void> {
  const local = state();
  while (local.holds > 0 || nonDaemonBelow(local, local.self.ident).length > 0) {
    await (local.holdWaiters ??= new WaiterQueue<boolean>()).waitIgnoringTask();
  }
}

/**
 * The main thread's loop is about to empty: a daemon thread started here with non-daemon
 * threads beneath it, whose message saying so is still on its way, must keep it going.
 */
function keepAliveForDescendants(): void {
  const local = state();
  for (const ident of nonDaemonBelow(local, local.self.ident)) {
    local.started.get(ident)?.holdForChildren(true);
  }
}

/**
 * The threads started here that have a live non-daemon thread beneath them (or are one).
 */
function nonDaemonBelow(local: LocalState, root: number): number[] {
  const entries = local.table.entries();
  const parentOf = new Map(entries.map((entry) => [entry.ident, entry.parent]));
  const found = new Set<number>();
  for (const entry of entries) {
    if (entry.daemon || entry.ident === root) continue;
    // Walk up to the thread started by `root`, if `root` is an ancestor at all.
    let child = entry.ident;
    let parent: number | undefined = entry.parent;
    for (let hops = 0; parent !== undefined && parent !== root && hops < entries.length; hops++) {
      child = parent;
      parent = parentOf.get(parent);
    }
    if (parent === root) found.add(child);
  }
  return [...found];
}
