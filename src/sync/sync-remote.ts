/**
 * How the synchronization primitives are reached from another thread or process: the
 * methods each owner serves to its handle. A lock or permit taken for a party that went
 * away before it saw the answer is given back.
 * @module
 */
import type { LiveState } from '../codec/descriptor.js';
import { currentIdentity } from '../core/task-identity.js';
import {
  acquire,
  type GoneParty,
  getter,
  type MethodSpec,
  plain,
  registerRemoteKind,
  releaseIfTaken,
  type ServedKind,
} from '../remote/served-kind.js';
import { Barrier } from './barrier.js';
import { Condition } from './condition.js';
import { Event } from './event.js';
import { ABANDON, ACQUIRE_FOR, type HeldLock, HOLDER, RELEASE_UNSEEN } from './holder-protocol.js';
import { Lock } from './lock.js';
import { loanMethods } from './lock-loan.js';
import { RLock } from './rlock.js';
import { BoundedSemaphore, Semaphore } from './semaphore.js';
import {
  BarrierHandle,
  ConditionHandle,
  EventHandle,
  LockHandle,
  SemaphoreHandle,
} from './sync-handles.js';

/** An acquire of the lock `lockOf(target)`, recorded as held by the calling party. */
function acquireFor<T extends { release(): void }>(
  lockOf: (target: T) => HeldLock,
  waits: boolean,
): MethodSpec<T> {
  return {
    waits,
    arity: 0,
    // tryAcquire is an acquire that does not wait (timeout 0: never queued).
    run: (target, _args, opts) =>
      lockOf(target)[ACQUIRE_FOR](currentIdentity(), waits ? opts : { timeout: 0 }),
    orphaned: (target, value, withdrawn) => {
      if (!withdrawn && value === true) lockOf(target)[RELEASE_UNSEEN]();
    },
  };
}

/** The lock of a remote thread that is gone is taken away from it, marked abandoned. */
function abandonIfHeld(lock: HeldLock, gone: GoneParty): void {
  if (gone.owns(lock[HOLDER])) lock[ABANDON]();
}

const itself = <T extends HeldLock>(lock: T): HeldLock => lock;

const lockMethods = {
  acquire: acquireFor<Lock>(itself, true),
  tryAcquire: acquireFor<Lock>(itself, false),
  release: plain<Lock>('release', 0),
  locked: plain<Lock>('locked', 0),
};

function lockState(lock: Lock | RLock): LiveState {
  return { abandoned: lock.abandoned };
}

const lockServed: ServedKind<Lock> = {
  kind: 'Lock',
  info: (lock) => ({ className: lock.constructor.name, state: lockState(lock) }),
  state: lockState,
  methods: { ...lockMethods, ...loanMethods },
  giveBack: abandonIfHeld,
};

const rlockServed: ServedKind<RLock> = {
  kind: 'RLock',
  info: (lock) => ({ className: lock.constructor.name, state: lockState(lock) }),
  state: lockState,
  methods: lockMethods as unknown as Record<string, MethodSpec<RLock>>,
  giveBack: abandonIfHeld,
};

/** Permits a call took (+) or gave back (-), counted per thread: any task of it may release them. */
const tookPermit = (value: unknown): number => (value === true ? 1 : 0);

const semaphoreServed: ServedKind<Semaphore> = {
  kind: 'Semaphore',
  info: (sem) => ({
    className: sem.constructor.name,
    bound: sem instanceof BoundedSemaphore ? sem.bound : undefined,
  }),
  methods: {
    acquire: { ...acquire<Semaphore>(), takes: tookPermit },
    tryAcquire: {
      ...plain<Semaphore>('tryAcquire', 0),
      orphaned: releaseIfTaken,
      takes: tookPermit,
    },
    release: { ...plain('release', 1), takes: (_value, [n = 1]) => -(n as number) },
    value: getter('value'),
  },
  giveBack(sem, { taken }) {
    // A bounded semaphore is never pushed over its bound (the dead party's permits may have
    // been released on its behalf already).
    const n = sem instanceof BoundedSemaphore ? Math.min(taken, sem.bound - sem.value) : taken;
    if (n > 0) sem.release(n);
  },
};

const eventServed: ServedKind<Event> = {
  kind: 'Event',
  info: (event) => ({ className: event.constructor.name }),
  methods: {
    set: plain('set', 0),
    clear: plain('clear', 0),
    isSet: plain('isSet', 0),
    wait: plain('wait', 0, true),
  },
};

const conditionServed: ServedKind<Condition> = {
  kind: 'Condition',
  info: (cond) => ({ className: cond.constructor.name }),
  methods: {
    acquire: acquireFor<Condition>((cond) => cond.lock, true),
    release: plain('release', 0),
    locked: plain('locked', 0),
    // A wait always comes back holding the lock; for a party that is gone, give it back.
    wait: { ...plain<Condition>('wait', 0, true), orphaned: (cond) => cond.lock[RELEASE_UNSEEN]() },
    notify: plain('notify', 1),
    notifyAll: plain('notifyAll', 0),
  },
  // A dead waiter inside wait() had let go of the lock; its wait is withdrawn, re-takes the
  // lock and gives it back (above). A dead holder of the lock loses it here.
  giveBack: (cond, gone) => abandonIfHeld(cond.lock, gone),
};

const barrierServed: ServedKind<Barrier> = {
  kind: 'Barrier',
  info: (barrier) => ({ className: barrier.constructor.name, parties: barrier.parties }),
  methods: {
    wait: plain('wait', 0, true),
    reset: plain('reset', 0),
    abort: plain('abort', 0),
    nWaiting: getter('nWaiting'),
    broken: getter('broken'),
  },
};

registerRemoteKind(Lock, lockServed, LockHandle);
registerRemoteKind(RLock, rlockServed, LockHandle);
registerRemoteKind(Semaphore, semaphoreServed, SemaphoreHandle);
registerRemoteKind(Event, eventServed, EventHandle);
registerRemoteKind(Condition, conditionServed, ConditionHandle);
registerRemoteKind(Barrier, barrierServed, BarrierHandle);
