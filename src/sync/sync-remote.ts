/**
 * How the synchronization primitives are reached from another thread or process: the
 * methods each owner serves to its handle. A lock or permit taken for a party that went
 * away before it saw the answer is given back.
 * @module
 */
import {
  acquire,
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
import { Lock } from './lock.js';
import { RLock } from './rlock.js';
import { BoundedSemaphore, Semaphore } from './semaphore.js';
import {
  BarrierHandle,
  ConditionHandle,
  EventHandle,
  LockHandle,
  SemaphoreHandle,
} from './sync-handles.js';

const lockMethods = {
  acquire: acquire<Lock>(),
  tryAcquire: { ...plain<Lock>('tryAcquire', 0), orphaned: releaseIfTaken },
  release: plain<Lock>('release', 0),
  locked: plain<Lock>('locked', 0),
};

const lockServed: ServedKind<Lock> = {
  kind: 'Lock',
  info: (lock) => ({ className: lock.constructor.name }),
  methods: lockMethods,
};

const rlockServed: ServedKind<RLock> = {
  kind: 'RLock',
  info: (lock) => ({ className: lock.constructor.name }),
  methods: lockMethods as unknown as Record<string, MethodSpec<RLock>>,
};

const semaphoreServed: ServedKind<Semaphore> = {
  kind: 'Semaphore',
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
    acquire: acquire<Condition>(),
    release: plain('release', 0),
    locked: plain('locked', 0),
    // A wait always comes back holding the lock; for a party that is gone, give it back.
    wait: { ...plain<Condition>('wait', 0, true), orphaned: (cond) => cond.release() },
    notify: plain('notify', 1),
    notifyAll: plain('notifyAll', 0),
  },
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
