// The primitives' contract suites, run over handles: each primitive lives in this thread and
// the suite drives it only through a handle made by `localHandle` — over a MessageChannel as
// into a thread (`'thread'`), or over this thread's local socket as into a process
// (`'process'`). `label` names the handles in the suites ('handle', 'process handle'). A lock's
// dying holder is a real thread: run `killAll` (support/dead-party.ts) after the file.

import type { Destination } from '../../src/codec/descriptor.js';
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  RLock,
  Semaphore,
  SimpleQueue,
} from '../../src/index.js';
import { barrierContract } from '../contracts/barrier-contract.js';
import { type ConditionLike, conditionContract } from '../contracts/condition-contract.js';
import { eventContract } from '../contracts/event-contract.js';
import { type LockLike, lockContract } from '../contracts/lock-contract.js';
import { type QueueImpl, type QueueLike, queueContract } from '../contracts/queue-contract.js';
import { semaphoreContract } from '../contracts/semaphore-contract.js';
import { localHandle } from '../fixtures/proxy-local.js';
import { taskParties, taskPartiesAndMain } from './async-helpers.js';
import { holdInThread } from './dead-party.js';

/** Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition and Barrier handles. */
export function syncHandleContracts(label: string, to: Destination): void {
  const handleOn = async <H>(primitive: object) => localHandle<H>(primitive, to);

  for (const [name, make, depth, parties] of [
    ['Lock', () => new Lock(), 1, taskParties],
    ['RLock', () => new RLock(), 2, taskPartiesAndMain],
  ] as const) {
    lockContract({
      name: `${name} ${label}${parties === taskPartiesAndMain ? ', inside tasks' : ''}`,
      create: async () => {
        const lock = make();
        const { handle, close } = await handleOn<LockLike>(lock);
        return { lock: handle, close, holdElsewhere: () => holdInThread(lock, depth) };
      },
      ...parties,
    });
  }

  for (const bounded of [false, true]) {
    semaphoreContract({
      name: `${bounded ? 'BoundedSemaphore' : 'Semaphore'} ${label}`,
      bounded,
      create: async (value) => {
        const sem = bounded ? new BoundedSemaphore(value) : new Semaphore(value);
        const { handle, close } = await handleOn<Semaphore>(sem);
        return { sem: handle, close };
      },
      ...taskParties,
    });
  }

  eventContract({
    name: `Event ${label}`,
    create: async () => {
      const { handle, close } = await handleOn<Event>(new Event());
      return { event: handle, close };
    },
    ...taskParties,
  });

  for (const [over, make, parties] of [
    ['its own Lock', () => new Condition(), taskParties],
    ['an RLock, inside tasks', () => new Condition(new RLock()), taskPartiesAndMain],
  ] as const) {
    conditionContract({
      name: `Condition ${label} over ${over}`,
      create: async () => {
        const { handle, close } = await handleOn<ConditionLike>(make());
        return { cond: handle, close };
      },
      ...parties,
    });
  }

  barrierContract({
    name: `Barrier ${label}`,
    create: async (parties, setup) => {
      const { handle, close } = await handleOn<Barrier>(new Barrier(parties, setup));
      return { barrier: handle, close };
    },
    ...taskParties,
  });
}

const QUEUES: [string, QueueImpl['order'], boolean, (maxsize?: number) => Queue<unknown>][] = [
  ['Queue', 'fifo', true, (maxsize) => new Queue(maxsize)],
  ['LifoQueue', 'lifo', true, (maxsize) => new LifoQueue(maxsize)],
  ['PriorityQueue', 'priority', true, (maxsize) => new PriorityQueue(maxsize)],
  ['SimpleQueue', 'fifo', false, () => new SimpleQueue()],
];

/** Handles on every queue kind. */
export function queueHandleContracts(label: string, to: Destination): void {
  for (const [name, order, bounded, make] of QUEUES) {
    queueContract({
      name: `${name} ${label}`,
      order,
      bounded,
      create: async <T>(maxsize?: number) => {
        const { handle, close } = await localHandle<QueueLike<T>>(make(maxsize), to);
        return { queue: handle, close };
      },
    });
  }
}
