/**
 * How shared-memory primitives are reached from another process, where their memory cannot
 * go: as handles served by the thread that sent them, like any primitive (a `SharedQueue`
 * arrives as a `QueueHandle`, a `SharedLock` as a `LockHandle`).
 * @module
 */
import type { LiveState } from '../codec/descriptor.js';
import { QueueHandle } from '../queue/queue-handle.js';
import {
  acquire,
  plain,
  registerRemoteKind,
  releaseIfTaken,
  type ServedKind,
} from '../remote/served-kind.js';
import { ABANDON } from '../sync/holder-protocol.js';
import { LockHandle } from '../sync/sync-handles.js';
import { SharedLock } from './shared-lock.js';
import { SharedQueue } from './shared-queue.js';

function queueState(queue: SharedQueue<unknown>): LiveState {
  return { shutDown: queue.shutDown, maxsize: queue.maxsize, pushesAhead: false };
}

/** A get whose item would be lost with a party that died before it arrived: it goes back, at the end. */
const getBack = (queue: SharedQueue<unknown>, item: unknown, withdrawn: boolean): void => {
  if (!withdrawn) queue.putNowait(item);
};

const sharedQueueServed: ServedKind<SharedQueue<unknown>> = {
  kind: 'SharedQueue',
  info: (queue) => ({ className: 'SharedQueue', state: queueState(queue) }),
  state: queueState,
  methods: {
    put: plain('put', 1, true),
    putNowait: plain('putNowait', 1),
    get: { ...plain('get', 0, true), delivers: true, orphaned: getBack },
    getNowait: { ...plain('getNowait', 0), delivers: true, orphaned: getBack },
    qsize: plain('qsize', 0),
    empty: plain('empty', 0),
    full: plain('full', 0),
    taskDone: plain('taskDone', 0),
    join: plain('join', 0, true),
    shutdown: plain('shutdown', 1),
  },
};

/** Whether a call took the lock (+1): counted per party, so a dead one's hold is known. */
const tookLock = (value: unknown): number => (value === true ? 1 : 0);

const sharedLockServed: ServedKind<SharedLock> = {
  kind: 'SharedLock',
  info: (lock) => ({ className: 'SharedLock', state: { abandoned: lock.abandoned } }),
  state: (lock) => ({ abandoned: lock.abandoned }),
  methods: {
    acquire: { ...acquire<SharedLock>(), takes: tookLock },
    tryAcquire: {
      ...plain<SharedLock>('tryAcquire', 0),
      orphaned: releaseIfTaken,
      takes: tookLock,
    },
    release: { ...plain('release', 0), takes: () => -1 },
    locked: plain('locked', 0),
  },
  // A process that died holding the lock (its serving thread's tag is on it) loses it.
  giveBack(lock, { taken }) {
    if (taken > 0) lock[ABANDON]();
  },
};

registerRemoteKind(SharedQueue, sharedQueueServed, QueueHandle);
registerRemoteKind(SharedLock, sharedLockServed, LockHandle);
