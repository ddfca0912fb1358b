// What the RedisExecutor tests share: a redis-server of the file's own, executors, workers and
// RedisQueue clients made per test on a queue name of their own and closed after the file
// whatever happens, scratch files tasks mark, and polls for what a worker makes true.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  RedisExecutor,
  RedisQueue,
  RedisWorker,
  type RedisWorkerOptions,
} from '../../src/redis/index.js';
import { startRedis, type TestRedis, type TestRedisOptions } from './redis-server.js';

/** The task module the workers allow. */
export const TASKS_PATH = fileURLToPath(new URL('../fixtures/redis-tasks.ts', import.meta.url));

/** Sets up a file's server (`server` says how it runs) and cleanup; call at the top level of a test file. */
export function redisExecutorHarness(serverOptions: TestRedisOptions = {}) {
  let server: TestRedis | undefined;
  const executors: RedisExecutor[] = [];
  const workers: RedisWorker[] = [];
  const redisQueues: RedisQueue<unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'weft-redis-exec-'));
  let queues = 0;

  before(async () => {
    server = await startRedis(serverOptions);
  });
  after(async () => {
    await Promise.all(executors.map((executor) => executor.shutdown({ cancelFutures: true })));
    await Promise.all(workers.map((worker) => worker.close({ timeout: 0 })));
    await Promise.all(redisQueues.map((queue) => queue.close()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    get url(): string {
      return server!.url;
    },
    get server(): TestRedis {
      return server!;
    },
    /** A queue name no other test uses. */
    queue(): string {
      return `q${++queues}-${process.pid}`;
    },
    executor(queue: string): RedisExecutor {
      const executor = new RedisExecutor({ queue, redis: server!.url });
      executors.push(executor);
      return executor;
    },
    /** `count` RedisQueue clients of one queue name no other test uses. */
    redisQueues<T>(count: number): RedisQueue<T>[] {
      const name = this.queue();
      const made = Array.from(
        { length: count },
        () => new RedisQueue<T>(name, { redis: server!.url }),
      );
      redisQueues.push(...(made as RedisQueue<unknown>[]));
      return made;
    },
    /** A started worker for `queue` allowing the task module (options may add to it). */
    async worker(queue: string, options: Partial<RedisWorkerOptions> = {}): Promise<RedisWorker> {
      const worker = new RedisWorker({
        queue,
        redis: server!.url,
        modules: [TASKS_PATH],
        concurrency: 4,
        ...options,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    /** A path in the file's scratch folder, for a task to mark. */
    file(name: string): string {
      return join(dir, `${name}-${++queues}.txt`);
    },
  };
}

/** The lines a task wrote to `path` so far. */
export function linesOf(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch {
    return [];
  }
}

/** Polls `condition` every 10 ms, for up to 30 s. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  for (let i = 0; i < 3_000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting until ${what}`);
}
