/**
 * The dryer of `weft demo dishes --mode redis`, run in a child process: it is given only
 * where the queues are — the Redis address and their names — and opens clients of its own,
 * so its dishes cross between processes through Redis exactly as they would between
 * machines. It runs the loop every dryer runs (`passOn`), reporting what it does for the
 * main thread's count (see redis-dry-reports.ts).
 * @module
 */
import { portable } from '../portable/portable.js';
import { RedisQueue } from '../redis/redis-queue.js';
import { reportFinishes, reportTakes } from './redis-dry-reports.js';
import { type DishWork, passOn } from './stage.js';

/** Where one run's queues are in Redis: the address, the names, and the bound of the two dish queues. */
export interface RedisDishLine {
  readonly url: string;
  readonly toDry: string;
  readonly toStack: string;
  readonly reports: string;
  /** The bound of `toDry` and `toStack`, which every client of them must use. */
  readonly maxsize: number;
}

/**
 * One dryer over Redis: takes each dish from the queue `line.toDry`, dries it (`how`),
 * puts it on `line.toStack` and acknowledges it, until `toDry` is shut down and drained;
 * then closes its clients (an item it got and did not acknowledge goes back to the queue).
 *
 * @example
 * ```ts
 * const line = { url: 'redis://127.0.0.1:6379', toDry: 'run-1:to-dry', toStack: 'run-1:to-stack', reports: 'run-1:reports', maxsize: 10 };
 * const dryer = new Process(dryOverRedis, { args: [line, 3], name: 'dryer-1' });
 * dryer.start();
 * ```
 */
export const dryOverRedis = portable(
  import.meta.url,
  async function dryOverRedis(line: RedisDishLine, how: DishWork): Promise<void> {
    const toDry = new RedisQueue<number>(line.toDry, { redis: line.url, maxsize: line.maxsize });
    const toStack = new RedisQueue<number>(line.toStack, {
      redis: line.url,
      maxsize: line.maxsize,
    });
    const reports = new RedisQueue<number>(line.reports, { redis: line.url });
    try {
      await passOn(reportTakes(toDry, reports), reportFinishes(toStack, reports), how);
    } finally {
      await Promise.all([toDry.close(), toStack.close(), reports.close()]);
    }
  },
);
