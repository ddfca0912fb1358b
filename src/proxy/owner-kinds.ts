/**
 * The owner's side of what can cross: which classes are weft primitives a handle may
 * reach, the facts a handle gets at the crossing, and — per kind — the methods a handle
 * may call (a closed list: a handle can never reach a private member).
 * @module
 */
import { Actor } from '../actor/actor.js';
import type { WaitOptions } from '../core/options.js';
import { RuntimeError } from '../errors.js';
import { Exchange, type Subscriber } from '../exchange/exchange.js';
import { MANAGER_KINDS } from '../manager/manager-kinds.js';
import { pipeConnectionKind } from '../pipe/pipe-kind.js';
import { Queue } from '../queue/queue.js';
import { Barrier } from '../sync/barrier.js';
import { Condition } from '../sync/condition.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import type { HandleInfo, HandleKind, LiveState } from './protocol.js';

/** What a method run on behalf of a handle may keep per connection (an exchange's subscribers). */
export interface ConnectionScope {
  /** Objects the handle refers to by number (subscribers it attached, subscriptions it holds). */
  readonly objects: Map<number, unknown>;
  /** Runs when the connection ends: undo what the handle left in place. */
  onClose(cleanup: () => void): void;
}

/** One method a handle may call. */
export interface MethodSpec<T> {
  /** Takes `{ timeout, signal }` after its arguments, and so may wait. */
  readonly waits: boolean;
  /** How many arguments come before the options (the options always go in that position). */
  readonly arity: number;
  run(target: T, args: unknown[], opts: WaitOptions | undefined, scope: ConnectionScope): unknown;
  /**
   * Undoes a call that ended after its handle went away (nobody will ever see the outcome):
   * a lock acquired for a party that is gone is released. Called with the value of a call
   * that succeeded, or with `withdrawn` for a wait withdrawn because the handle went away.
   */
  orphaned?(target: T, value: unknown, withdrawn: boolean): void;
}

/** A kind of primitive as its owner serves it. */
export interface OwnerKind<T = unknown> {
  readonly kind: HandleKind;
  matches(value: unknown): value is T;
  info(target: T): HandleInfo;
  /** State shown by the handle's synchronous getters, sent along with every reply. */
  state?(target: T): LiveState;
  readonly methods: Readonly<Record<string, MethodSpec<T>>>;
}

type AnyMethod = (...args: unknown[]) => unknown;

/** A method that calls `target[name]` with the arguments (and the options, for waiting methods). */
function plain<T>(name: string, arity: number, waits = false): MethodSpec<T> {
  return {
    waits,
    arity,
    run(target, args, opts) {
      const fn = (target as Record<string, AnyMethod>)[name]!;
      if (!waits) return fn.apply(target, args);
      const full = args.slice(0, arity);
      while (full.length < arity) full.push(undefined);
      full.push(opts);
      return fn.apply(target, full);
    },
  };
}

/** A getter read as a method. */
function getter<T>(name: string): MethodSpec<T> {
  return { waits: false, arity: 0, run: (target) => (target as Record<string, unknown>)[name] };
}

/** An acquire: a lock taken for a party that is gone is given back. */
function acquire<T extends { release(): void }>(name = 'acquire'): MethodSpec<T> {
  return { ...plain<T>(name, 0, true), orphaned: releaseIfTaken };
}

function releaseIfTaken(target: { release(): void }, value: unknown, withdrawn: boolean): void {
  if (!withdrawn && value === true) target.release();
}

const lockMethods = {
  acquire: acquire<Lock>(),
  tryAcquire: { ...plain<Lock>('tryAcquire', 0), orphaned: releaseIfTaken },
  release: plain<Lock>('release', 0),
  locked: plain<Lock>('locked', 0),
};

const queueKind: OwnerKind<Queue<unknown>> = {
  kind: 'Queue',
  matches: (value): value is Queue<unknown> => value instanceof Queue,
  info: (queue) => ({ className: queue.constructor.name, state: queueState(queue) }),
  state: queueState,
  methods: {
    put: plain('put', 1, true),
    putNowait: plain('putNowait', 1),
    get: plain('get', 0, true),
    getNowait: plain('getNowait', 0),
    qsize: plain('qsize', 0),
    empty: plain('empty', 0),
    full: plain('full', 0),
    taskDone: plain('taskDone', 0),
    join: plain('join', 0, true),
    shutdown: plain('shutdown', 1),
  },
};

function queueState(queue: Queue<unknown>): LiveState {
  return { shutDown: queue.shutDown, maxsize: queue.maxsize };
}

const lockKind: OwnerKind<Lock> = {
  kind: 'Lock',
  matches: (value): value is Lock => value instanceof Lock,
  info: (lock) => ({ className: lock.constructor.name }),
  methods: lockMethods,
};

const rlockKind: OwnerKind<RLock> = {
  kind: 'RLock',
  matches: (value): value is RLock => value instanceof RLock,
  info: (lock) => ({ className: lock.constructor.name }),
  methods: lockMethods as unknown as Record<string, MethodSpec<RLock>>,
};

const semaphoreKind: OwnerKind<Semaphore> = {
  kind: 'Semaphore',
  matches: (value): value is Semaphore => value instanceof Semaphore,
  info: (sem) => ({
    className: sem.constructor.name,
    bound: sem instanceof BoundedSemaphore ? sem.bound : undefined,
  }),
  methods: {
    acquire: acquire<Semaphore>(),
    tryAcquire: { ...plain<Semaphore>('tryAcquire', 0), orphaned: releaseIfTaken },
    release: plain('release', 1),
    value: getter('value'),
  },
};

const eventKind: OwnerKind<Event> = {
  kind: 'Event',
  matches: (value): value is Event => value instanceof Event,
  info: (event) => ({ className: event.constructor.name }),
  methods: {
    set: plain('set', 0),
    clear: plain('clear', 0),
    isSet: plain('isSet', 0),
    wait: plain('wait', 0, true),
  },
};

const conditionKind: OwnerKind<Condition> = {
  kind: 'Condition',
  matches: (value): value is Condition => value instanceof Condition,
  info: (cond) => ({ className: cond.constructor.name }),
  methods: {
    acquire: acquire<Condition>(),
    release: plain('release', 0),
    locked: plain('locked', 0),
    // A wait always comes back holding the lock; for a party that is gone, give it back.
    wait: { ...plain<Condition>('wait', 0, true), orphaned: (cond) => cond.release() },
    notify: plain('notify', 1),
    notifyAll: plain('notifyAll', 0),
  },
};

const barrierKind: OwnerKind<Barrier> = {
  kind: 'Barrier',
  matches: (value): value is Barrier => value instanceof Barrier,
  info: (barrier) => ({ className: barrier.constructor.name, parties: barrier.parties }),
  methods: {
    wait: plain('wait', 0, true),
    reset: plain('reset', 0),
    abort: plain('abort', 0),
    nWaiting: getter('nWaiting'),
    broken: getter('broken'),
  },
};

const actorKind: OwnerKind<Actor> = {
  kind: 'Actor',
  matches: (value): value is Actor => value instanceof Actor,
  info: (actor) => ({
    className: actor.constructor.name,
    name: actor.name,
    state: actorState(actor),
  }),
  state: actorState,
  methods: {
    send: plain('send', 1, true),
    sendNowait: plain('sendNowait', 1),
    ask: plain('ask', 1, true),
    close: plain('close', 0),
    join: plain('join', 0, true),
    isAlive: plain('isAlive', 0),
  },
};

function actorState(actor: Actor): LiveState {
  return { closed: actor.closed };
}

/**
 * An exchange's subscribers cross as handles too. The handle names each subscriber by a
 * number, so `detach` and `has` find the very object `attach` added; what a handle
 * attached is detached when it goes away.
 */
const exchangeKind: OwnerKind<Exchange> = {
  kind: 'Exchange',
  matches: (value): value is Exchange => value instanceof Exchange,
  info: (exchange) => ({ className: exchange.constructor.name, name: exchange.name }),
  methods: {
    send: plain('send', 1),
    size: getter('size'),
    attach: {
      waits: false,
      arity: 2,
      run(exchange, [id, subscriber], _opts, scope) {
        const sub = subscriberOf(scope, id as number, subscriber);
        exchange.attach(sub);
        scope.onClose(() => {
          if (exchange.has(sub)) exchange.detach(sub);
        });
      },
    },
    detach: {
      waits: false,
      arity: 1,
      run(exchange, [id], _opts, scope) {
        const sub = scope.objects.get(id as number) as Subscriber<unknown> | undefined;
        if (sub === undefined || !exchange.has(sub)) {
          throw new RuntimeError(`${exchange.name}.detach(): that subscriber is not attached`);
        }
        exchange.detach(sub);
      },
    },
    has: {
      waits: false,
      arity: 1,
      run(exchange, [id], _opts, scope) {
        const sub = scope.objects.get(id as number) as Subscriber<unknown> | undefined;
        return sub !== undefined && exchange.has(sub);
      },
    },
    subscribe: {
      waits: false,
      arity: 2,
      run(exchange, [token, pairs], _opts, scope) {
        const subs = (pairs as [number, unknown][]).map(([id, subscriber]) =>
          subscriberOf(scope, id, subscriber),
        );
        const subscription = exchange.subscribe(...subs);
        scope.objects.set(token as number, subscription);
        scope.onClose(() => subscription[Symbol.dispose]());
      },
    },
    unsubscribe: {
      waits: false,
      arity: 1,
      run(_exchange, [token], _opts, scope) {
        const subscription = scope.objects.get(token as number) as Disposable | undefined;
        scope.objects.delete(token as number);
        subscription?.[Symbol.dispose]();
      },
    },
  },
};

/** The subscriber a handle calls `id`: the one it sent the first time, kept for the connection. */
function subscriberOf(scope: ConnectionScope, id: number, sent: unknown): Subscriber<unknown> {
  if (sent !== undefined || id === 0) {
    // Sent now: the first time, or again after a first attempt failed.
    if (id !== 0) scope.objects.set(id, sent);
    return sent as Subscriber<unknown>;
  }
  const known = scope.objects.get(id);
  return known as Subscriber<unknown>;
}

/** Every kind that can cross, subclasses' bases last where they overlap (RLock is not a Lock). */
export const OWNER_KINDS: readonly OwnerKind[] = [
  queueKind,
  lockKind,
  rlockKind,
  semaphoreKind,
  eventKind,
  conditionKind,
  barrierKind,
  actorKind,
  exchangeKind,
  ...MANAGER_KINDS,
  pipeConnectionKind,
] as OwnerKind[];

/** The kind `value` is served as, or `undefined` when it is not a primitive that can cross. */
export function ownerKindOf(value: object): OwnerKind | undefined {
  for (const kind of OWNER_KINDS) if (kind.matches(value)) return kind;
  return undefined;
}
