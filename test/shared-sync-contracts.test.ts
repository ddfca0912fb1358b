// The shared-memory locks, semaphores, events, conditions and barriers pass the contracts of
// their task-scope twins: the parties are tasks of this thread (cross-thread use is in
// shared-sync-threads.test.ts), and a lock's dying holder is a real thread that takes the
// lock in shared memory and is terminated holding it.
import { after } from 'node:test';
import {
  SharedBarrier,
  SharedBoundedSemaphore,
  SharedCondition,
  SharedEvent,
  SharedLock,
  SharedRLock,
  SharedSemaphore,
} from '../src/index.js';
import { barrierContract } from './contracts/barrier-contract.js';
import { conditionContract } from './contracts/condition-contract.js';
import { eventContract } from './contracts/event-contract.js';
import { lockContract } from './contracts/lock-contract.js';
import { semaphoreContract } from './contracts/semaphore-contract.js';
import { taskParties, taskPartiesAndMain } from './support/async-helpers.js';
import { holdInThread, killAll } from './support/dead-party.js';

after(killAll);

const nothingToClose = async () => {};

for (const [name, make, depth, parties] of [
  ['SharedLock', () => new SharedLock(), 1, taskParties],
  ['SharedRLock', () => new SharedRLock(), 2, taskPartiesAndMain],
] as const) {
  lockContract({
    name: `${name}${parties === taskPartiesAndMain ? ', inside tasks' : ''}`,
    create: async () => {
      const lock = make();
      return { lock, close: nothingToClose, holdElsewhere: () => holdInThread(lock, depth) };
    },
    ...parties,
  });
}

for (const bounded of [false, true]) {
  semaphoreContract({
    name: bounded ? 'SharedBoundedSemaphore' : 'SharedSemaphore',
    bounded,
    create: async (value) => ({
      sem: bounded ? new SharedBoundedSemaphore(value) : new SharedSemaphore(value),
      close: nothingToClose,
    }),
    ...taskParties,
  });
}

eventContract({
  name: 'SharedEvent',
  create: async () => ({ event: new SharedEvent(), close: nothingToClose }),
  ...taskParties,
});

for (const [over, make, parties] of [
  ['a SharedLock', () => new SharedCondition(new SharedLock()), taskParties],
  ['its own SharedRLock, inside tasks', () => new SharedCondition(), taskPartiesAndMain],
] as const) {
  conditionContract({
    name: `SharedCondition over ${over}`,
    create: async () => ({ cond: make(), close: nothingToClose }),
    ...parties,
  });
}

barrierContract({
  name: 'SharedBarrier',
  create: async (parties, setup) => ({
    barrier: new SharedBarrier(parties, setup),
    close: nothingToClose,
  }),
  ...taskParties,
});
