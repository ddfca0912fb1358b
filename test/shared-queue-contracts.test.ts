// SharedQueue passes the queue contract every queue passes (test/contracts/queue-contract.ts):
// driven from this thread's tasks, and through the handle a child process gets (the queue
// served by this thread over its local socket). test/shared-queue-threads.test.ts drives it
// from real threads.
import { after } from 'node:test';
import { SharedQueue } from '../src/index.js';
import { type QueueLike, queueContract } from './contracts/queue-contract.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';

after(closeLocalHandles);

queueContract({
  name: 'SharedQueue',
  order: 'fifo',
  bounded: true,
  create: async <T>(maxsize?: number) => ({
    queue: new SharedQueue<T>({ maxsize: Math.max(0, maxsize ?? 0) }) as QueueLike<T>,
    close: async () => {},
  }),
});

queueContract({
  name: 'SharedQueue process handle',
  order: 'fifo',
  bounded: true,
  create: async <T>(maxsize?: number) => {
    const queue = new SharedQueue<T>({ maxsize: Math.max(0, maxsize ?? 0) });
    const { handle, close } = await localHandle<QueueLike<T>>(queue, 'process');
    return { queue: handle, close };
  },
});
