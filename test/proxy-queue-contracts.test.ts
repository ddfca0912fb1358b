// Handles on each queue kind pass the same queue contract as the queues: each queue lives in
// this thread, and the suite drives it only through a handle that talks to it over the real
// handle protocol (a MessageChannel with both ends here).
import { after } from 'node:test';
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from '../src/index.js';
import { type QueueImpl, type QueueLike, queueContract } from './contracts/queue-contract.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';

after(closeLocalHandles);

function handleOn(
  name: string,
  order: QueueImpl['order'],
  bounded: boolean,
  make: (maxsize?: number) => Queue<unknown>,
): QueueImpl {
  return {
    name: `${name} handle`,
    order,
    bounded,
    create: async <T>(maxsize?: number) => {
      const { handle, close } = await localHandle<QueueLike<T>>(make(maxsize));
      return { queue: handle, close };
    },
  };
}

queueContract(handleOn('Queue', 'fifo', true, (maxsize) => new Queue(maxsize)));
queueContract(handleOn('LifoQueue', 'lifo', true, (maxsize) => new LifoQueue(maxsize)));
queueContract(handleOn('PriorityQueue', 'priority', true, (maxsize) => new PriorityQueue(maxsize)));
queueContract(handleOn('SimpleQueue', 'fifo', false, () => new SimpleQueue()));
