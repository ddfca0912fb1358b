// Handles on the synchronization primitives pass the same contracts as the primitives: each
// primitive lives in this thread, and the suite drives it only through a handle that talks to
// it over the real handle protocol (a MessageChannel with both ends here).
import { after } from 'node:test';
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
} from '../src/index.js';
import { barrierContract } from './contracts/barrier-contract.js';
import { type ConditionLike, conditionContract } from './contracts/condition-contract.js';
import { eventContract } from './contracts/event-contract.js';
import { type LockLike, lockContract } from './contracts/lock-contract.js';
import { semaphoreContract } from './contracts/semaphore-contract.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { taskParties, taskPartiesAndMain } from './support/async-helpers.js';

after(closeLocalHandles);

lockContract({
  name: 'Lock handle',
  create: async () => {
    const { handle, close } = await localHandle<LockLike>(new Lock());
    return { lock: handle, close };
  },
  ...taskParties,
});

lockContract({
  name: 'RLock handle, inside tasks',
  create: async () => {
    const { handle, close } = await localHandle<LockLike>(new RLock());
    return { lock: handle, close };
  },
  ...taskPartiesAndMain,
});

semaphoreContract({
  name: 'Semaphore handle',
  bounded: false,
  create: async (value) => {
    const { handle, close } = await localHandle<Semaphore>(new Semaphore(value));
    return { sem: handle, close };
  },
  ...taskParties,
});

semaphoreContract({
  name: 'BoundedSemaphore handle',
  bounded: true,
  create: async (value) => {
    const { handle, close } = await localHandle<Semaphore>(new BoundedSemaphore(value));
    return { sem: handle, close };
  },
  ...taskParties,
});

eventContract({
  name: 'Event handle',
  create: async () => {
    const { handle, close } = await localHandle<Event>(new Event());
    return { event: handle, close };
  },
  ...taskParties,
});

conditionContract({
  name: 'Condition handle over its own Lock',
  create: async () => {
    const { handle, close } = await localHandle<ConditionLike>(new Condition());
    return { cond: handle, close };
  },
  ...taskParties,
});

conditionContract({
  name: 'Condition handle over an RLock, inside tasks',
  create: async () => {
    const { handle, close } = await localHandle<ConditionLike>(new Condition(new RLock()));
    return { cond: handle, close };
  },
  ...taskPartiesAndMain,
});

barrierContract({
  name: 'Barrier handle',
  create: async (parties, setup) => {
    const { handle, close } = await localHandle<Barrier>(new Barrier(parties, setup));
    return { barrier: handle, close };
  },
  ...taskParties,
});
