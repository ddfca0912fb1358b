// RedisQueue passes the queue contract every queue passes (test/contracts/queue-contract.ts),
// against a redis-server of this file's own, one client object per queue (the tests that
// use several clients, processes and faults are in test/redis-queue-*.test.ts).
import { after, before } from 'node:test';
import { RedisQueue } from '../src/redis/index.js';
import { type QueueLike, queueContract } from './contracts/queue-contract.js';
import { WORKER_SUITE } from './support/async-helpers.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(() => server.stop());

let count = 0;

queueContract({
  name: 'RedisQueue',
  order: 'fifo',
  bounded: true,
  // Every call is a round trip to the server: slow on a busy machine.
  hangGuard: WORKER_SUITE,
  create: async <T>(maxsize?: number) => {
    const queue = new RedisQueue<T>(`contract-${++count}`, {
      redis: server.url,
      maxsize: Math.max(0, maxsize ?? 0),
    });
    return { queue: queue as unknown as QueueLike<T>, close: () => queue.close() };
  },
});
