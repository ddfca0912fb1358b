/**
 * The queues of `weft demo dishes --mode redis`: `RedisQueue`s named for this run alone,
 * deleted from Redis when it ends. The washers and stackers (tasks of the main thread) use
 * clients of their own; each dryer is a child process that opens its own clients by name
 * (redis-dryer.ts), so every dish crosses between processes through Redis, as it would
 * between machines. The dry stage is counted from the dryers' reports (redis-dry-reports.ts).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_REDIS_URL } from '../redis/connection.js';
import { RedisQueue } from '../redis/redis-queue.js';
import type { DishLineLayout, DishLineOptions } from './dish-lines.js';
import { joinInOrder } from './dish-lines.js';
import { FinishOrder } from './finish-order.js';
import { afterDried, countDryReports } from './redis-dry-reports.js';
import type { RedisDishLine } from './redis-dryer.js';

/**
 * Opens this run's queues at `options.redis` (default `WEFT_REDIS_URL`, else
 * `redis://127.0.0.1:6379`) and makes sure Redis answers: rejects with a
 * `RedisUnavailableError` naming the address and what to start when it does not.
 */
export async function redisLines(options: DishLineOptions): Promise<DishLineLayout> {
  const url = options.redis ?? process.env.WEFT_REDIS_URL ?? DEFAULT_REDIS_URL;
  // One run's names: two demos on the same Redis never share a queue.
  const run = `weft-demo-dishes:${randomUUID()}`;
  const line: RedisDishLine = {
    url,
    toDry: `${run}:to-dry`,
    toStack: `${run}:to-stack`,
    reports: `${run}:dry-reports`,
    maxsize: options.queueSize,
  };
  const toDry = new RedisQueue<number>(line.toDry, { redis: url, maxsize: line.maxsize });
  const toStack = new RedisQueue<number>(line.toStack, { redis: url, maxsize: line.maxsize });
  const reports = new RedisQueue<number>(line.reports, { redis: url });
  const queues = [toDry, toStack, reports];
  try {
    await Promise.all(queues.map((queue) => queue.qsize()));
  } catch (error) {
    await Promise.allSettled(queues.map((queue) => queue.close()));
    throw error;
  }
  return ({ wash, dry, stack }) => {
    const washed = new FinishOrder(wash);
    const dried = new FinishOrder(dry);
    return {
      toDry,
      stackInput: afterDried(toStack, dried),
      washCounter: washed,
      stackCounter: stack,
      dryerJob: { kind: 'redis', line, work: options.work },
      helpers: [() => countDryReports(reports, washed, dried)],
      // Every report is put before its dish reaches the stack queue: joined last, all are counted.
      join: () => joinInOrder(toDry, toStack, reports),
      async shutdown(immediate) {
        if (immediate) {
          const stopped = new Error('the run failed: the dishes still on their way are dropped');
          washed.abandon(stopped);
          dried.abandon(stopped);
        }
        await Promise.all(queues.map((queue) => queue.shutdown(immediate)));
      },
      // Deletes the queues from Redis, and closes these clients.
      close: async () => {
        await Promise.all(queues.map((queue) => queue.destroy()));
      },
    };
  };
}
