// The lock, semaphore and event contracts — the same suites the task, thread and process scopes
// pass — run on RedisLock, RedisSemaphore and RedisEvent against a redis-server of this file's own. The
// parties are tasks sharing one object; a lock's dying holder is a child process that holds
// it through an object of its own and is killed with SIGKILL.
import { after, before } from 'node:test';
import { RedisEvent, RedisLock, RedisSemaphore } from '../src/redis/index.js';
import { eventContract } from './contracts/event-contract.js';
import { lockContract } from './contracts/lock-contract.js';
import { semaphoreContract } from './contracts/semaphore-contract.js';
import { taskParties, WORKER_SUITE } from './support/async-helpers.js';
import { killChildren, startChild } from './support/redis-children.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

/** Long enough that a busy machine renews in time, short enough to wait out in a test. */
const LEASE_MS = 2_000;
/** Tasks sharing one object, each call a round trip to the server: slow on a busy machine. */
const parties = { ...taskParties, hangGuard: WORKER_SUITE };

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(async () => {
  await killChildren();
  await server.stop();
});

let made = 0;
const freshName = (kind: string) => `contract-${kind}-${process.pid}-${made++}`;

lockContract({
  name: 'RedisLock',
  create: async () => {
    const name = freshName('lock');
    const lock = new RedisLock(name, { redis: server.url, lease: LEASE_MS });
    return {
      lock,
      close: () => lock.close(),
      holdElsewhere: async () => {
        const child = startChild('hold-lock', name, server.url, LEASE_MS);
        await child.next((message) => 'held' in message);
        return { die: () => child.kill() };
      },
    };
  },
  ...parties,
});

for (const bounded of [false, true]) {
  semaphoreContract({
    name: bounded ? 'RedisSemaphore, bounded' : 'RedisSemaphore',
    bounded,
    create: async (value) => {
      const sem = new RedisSemaphore(freshName('semaphore'), value, {
        redis: server.url,
        lease: LEASE_MS,
        bounded,
      });
      return { sem, close: () => sem.close() };
    },
    ...parties,
  });
}

eventContract({
  name: 'RedisEvent',
  create: async () => {
    const event = new RedisEvent(freshName('event'), { redis: server.url });
    return { event, close: () => event.close() };
  },
  ...parties,
});
