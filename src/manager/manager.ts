/**
 * `Manager` — Python's `multiprocessing.Manager()`: shared dicts, lists and namespaces,
 * and the synchronization primitives, owned by this thread and reached through handles
 * from every thread and process they are passed to.
 * @module
 */

// Every kind of primitive an argument may hold must be known before one crosses.
import '../kinds.js';
import { servedKindOf } from '../codec/registry.js';
import { describe } from '../core/options.js';
import { RuntimeError } from '../errors.js';
import { Queue } from '../queue/queue.js';
import type { Handle } from '../remote/handle.js';
import { copied, LocalLink } from '../remote/local-link.js';
import type { ServedKind } from '../remote/served-kind.js';
import { Barrier, type BarrierOptions } from '../sync/barrier.js';
import { Condition } from '../sync/condition.js';
import type { ConditionLock } from '../sync/condition-protocol.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import { endLoan } from './dict-loan.js';
import { SharedDict } from './shared-dict.js';
import { itemsOf, SharedList } from './shared-list.js';
import { SharedNamespace } from './shared-namespace.js';
import {
  type DictKey,
  DictStore,
  entriesOf,
  ListStore,
  type ManagerState,
  NamespaceStore,
} from './stores.js';

/** Options of a `Manager`. */
export interface ManagerOptions {
  /** Named in errors about the manager's objects after `shutdown()`; `Manager-N` by default. */
  name?: string | undefined;
}

let nextManagerNumber = 1;

/** The stores behind a manager's dicts, lists and namespaces. */
type Store = DictStore | ListStore | NamespaceStore;

/**
 * Makes objects to share between threads and processes: `dict()`, `list()` and
 * `namespace()` return handles on a dict, list or namespace this thread owns — in this
 * thread as in every thread or process they are passed to (as arguments of a `Thread`,
 * a `Process` or a pool task, or inside a queue item), with the same async interface
 * everywhere, every update one atomic step at the owner. `queue()`, `lock()`,
 * `event()`, ... return ordinary weft primitives, which cross as handles too.
 *
 * `shutdown()` (or the end of an `await using` block) ends the manager: every later call
 * on its dicts, lists and namespaces, from anywhere, rejects with a `RuntimeError` naming
 * it, and their contents are dropped; its queues are shut down at once (items still in
 * them are dropped, waiting getters and putters get `QueueShutDown`) and its barriers
 * aborted (waiters get `BrokenBarrierError`). Its locks, semaphores, events and conditions
 * hold no data and go on working for whoever holds them, so a `finally` that releases a
 * lock never fails because the manager ended first.
 *
 * The owner must stay alive while others use its objects: when its thread or process
 * ends, their handles reject with `HandleClosedError`.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const results = manager.dict<string, number>();
 * const done = manager.list<string>();
 * const threads = names.map((name) => new Thread(work, { args: [name, results, done] }));
 * for (const thread of threads) thread.start();
 * for (const thread of threads) await thread.join();
 * console.log(await results.toMap(), await done.length()); // every update is there
 * ```
 */
export class Manager implements Disposable, AsyncDisposable {
  /** The manager's name, as errors about its objects give it. */
  readonly name: string;
  private readonly state: ManagerState;
  /**
   * What `shutdown()` ends: stores (their contents go), queues (shut down), barriers
   * (aborted). Held weakly: what nobody can reach any more needs no ending.
   */
  private members = new Set<WeakRef<object>>();
  private readonly forget = new FinalizationRegistry<WeakRef<object>>((ref) =>
    this.members.delete(ref),
  );

  constructor(options: ManagerOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Manager(options): options must be an object, got ${describe(options)}`);
    }
    const { name = `Manager-${nextManagerNumber++}` } = options;
    if (typeof name !== 'string') {
      throw new TypeError(`Manager(options): name must be a string, got ${describe(name)}`);
    }
    this.name = name;
    this.state = { name, shutDown: false };
  }

  /** Whether `shutdown()` was called. */
  get shutDown(): boolean {
    return this.state.shutDown;
  }

  /**
   * A new shared dict, filled from `init` (pairs, a Map, or a plain object), whose values
   * are copied in as `set` copies them.
   *
   * @example
   * ```ts
   * const stock = manager.dict({ apples: 3, pears: 0 }); // SharedDict<string, number>
   * ```
   */
  dict<K extends DictKey = DictKey, V = unknown>(
    init?: Iterable<readonly [K, V]>,
  ): SharedDict<K, V>;
  dict<V>(init: Readonly<Record<string, V>>): SharedDict<string, V>;
  dict<K extends string, V>(init: Readonly<Record<K, V>>): SharedDict<K, V>;
  dict(init?: unknown): SharedDict {
    const store = new DictStore(this.live('dict'));
    if (init !== undefined) {
      store.update(this.copyIn(entriesOf(init, `${this.name}.dict(init)`), 'dict'));
    }
    return this.handleOn(store, SharedDict);
  }

  /** A new shared list, holding copies of the items of `init`. */
  list<T = unknown>(init?: Iterable<T>): SharedList<T> {
    const store = new ListStore(this.live('list'));
    if (init !== undefined) {
      store.extend(this.copyIn(itemsOf(init, `${this.name}.list(init)`), 'list'));
    }
    return this.handleOn(store, SharedList<T>);
  }

  /** A new shared namespace, holding copies of the properties of `init`, typed by it. */
  namespace(): SharedNamespace;
  namespace<N extends object>(init: N): SharedNamespace<N>;
  namespace(init?: object): SharedNamespace<object> {
    const store = new NamespaceStore(this.live('namespace'));
    if (init !== undefined) {
      if (init === null || typeof init !== 'object') {
        throw new TypeError(
          `${this.name}.namespace(init): init must be a plain object, got ${describe(init)}`,
        );
      }
      for (const [name, value] of this.copyIn(Object.entries(init), 'namespace')) {
        store.set(name, value);
      }
    }
    return this.handleOn(store, SharedNamespace);
  }

  /**
   * A new `Queue` (with `taskDone`/`join`: Python's `Queue` and `JoinableQueue` in one),
   * shut down when the manager is.
   */
  queue<T>(maxsize = 0): Queue<T> {
    this.live('queue');
    return this.remember(new Queue<T>(maxsize));
  }

  /** A new `Lock` (Python's `manager.Lock()`); it goes on working after `shutdown()`. */
  lock(): Lock {
    this.live('lock');
    return new Lock();
  }

  /** A new `RLock`, re-entrant per task (in another thread: per task of that thread). */
  rlock(): RLock {
    this.live('rlock');
    return new RLock();
  }

  /** A new `Semaphore` with `value` permits. */
  semaphore(value = 1): Semaphore {
    this.live('semaphore');
    return new Semaphore(value);
  }

  /** A new `BoundedSemaphore` with `value` permits, which a release may never exceed. */
  boundedSemaphore(value = 1): BoundedSemaphore {
    this.live('boundedSemaphore');
    return new BoundedSemaphore(value);
  }

  /** A new `Event`. */
  event(): Event {
    this.live('event');
    return new Event();
  }

  /** A new `Condition` over `lock` (a new Lock by default; a manager's `lock()` or `rlock()` fits). */
  condition(lock?: ConditionLock): Condition {
    this.live('condition');
    return new Condition(lock);
  }

  /** A new `Barrier`, aborted when the manager shuts down. Its action runs in this thread. */
  barrier(parties: number, options?: BarrierOptions): Barrier {
    this.live('barrier');
    return this.remember(new Barrier(parties, options));
  }

  /**
   * Ends the manager (see the class). Idempotent; takes effect at once, for every handle
   * in every thread and process — but a handle a dict is lent to answers the reads it knows
   * until the owner's word that the loan ended reaches it (docs/manager.md).
   */
  shutdown(): void {
    if (this.state.shutDown) return;
    this.state.shutDown = true;
    const members = this.members;
    this.members = new Set();
    for (const ref of members) {
      const member = ref.deref();
      if (member === undefined) continue;
      this.forget.unregister(ref);
      if (member instanceof Queue) member.shutdown(true);
      else if (member instanceof Barrier) member.abort();
      else {
        // A dict lent to a handle comes back: the calls held for it run, and reject.
        if (member instanceof DictStore) endLoan(member);
        (member as Store).end();
      }
    }
  }

  /** `using manager = new Manager()`: shuts it down at the end of the block. */
  [Symbol.dispose](): void {
    this.shutdown();
  }

  /** `await using manager = new Manager()`: shuts it down at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.shutdown();
  }

  /** The state to build on; throws when the manager is shut down. */
  private live(method: string): ManagerState {
    if (this.state.shutDown) {
      throw new RuntimeError(`${this.name}.${method}(): the manager was shut down`);
    }
    return this.state;
  }

  /** Remembers a store, queue or barrier, for `shutdown()` to end. */
  private remember<M extends object>(member: M): M {
    const ref = new WeakRef<object>(member);
    this.members.add(ref);
    this.forget.register(member, ref, ref);
    return member;
  }

  /** The manager's own handle on a store, remembered for shutdown. */
  private handleOn<H extends Handle>(store: Store, HandleClass: new (link: LocalLink) => H): H {
    this.remember(store);
    return new HandleClass(new LocalLink(store, servedKindOf(store) as ServedKind));
  }

  /** Copies `values` in as a call through a handle would (a value that cannot cross throws here). */
  private copyIn<T>(values: T[], method: string): T[] {
    return copied([values], `${this.name}.${method}(init)`, 'argument')[0] as T[];
  }
}
