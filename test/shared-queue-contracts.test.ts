// SharedQueue passes the queue contract every queue passes (test/contracts/queue-contract.ts),
// driven from this thread's tasks; test/shared-queue-threads.test.ts drives it from real threads.
import { SharedQueue } from '../src/index.js';
import { queueContract } from './contracts/queue-contract.js';

queueContract({
  name: 'SharedQueue',
  order: 'fifo',
  bounded: true,
  create: async <T>(maxsize?: number) => ({
    queue: new SharedQueue<T>({ maxsize: Math.max(0, maxsize ?? 0) }),
    close: async () => {},
  }),
});
