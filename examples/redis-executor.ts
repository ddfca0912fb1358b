// concurrent.futures across machines (Celery-style): a RedisExecutor submits tasks to a Redis
// task queue and RedisWorkers run them — here one worker in a child process, as `weft worker`
// would on another machine. Tasks are exported, portable functions of a module the worker
// allows; results, errors, retries and dead letters travel through Redis.
// Needs a Redis server: WEFT_REDIS_URL, else redis://127.0.0.1:6379.
import {
  Event,
  type Event as EventType,
  type HandleOf,
  isMainModule,
  Process,
  portable,
} from 'weft';
import { RedisExecutor, RedisWorker } from 'weft/redis';

export const thumbnail = portable(
  import.meta.url,
  (name: string, size: number) => `${name}@${size}px`,
);

export const square = portable(import.meta.url, (n: number) => n * n);

export const checkout = portable(import.meta.url, (order: { id: number; items: number }) => {
  if (order.items === 0) {
    throw Object.assign(new Error(`order ${order.id} is empty`), {
      code: 'E_EMPTY',
      order: order.id,
    });
  }
  return order.items * 10;
});

/** A worker in this child process until `stop` is set; then it closes gracefully. */
export const runWorker = portable(
  import.meta.url,
  async (queue: string, stop: HandleOf<EventType>): Promise<void> => {
    const worker = new RedisWorker({ queue, modules: [import.meta.url], concurrency: 4 });
    await worker.start();
    await stop.wait();
    await worker.close({ timeout: 10_000 });
  },
);

if (isMainModule(import.meta)) {
  const queue = 'example-images';
  const stop = new Event();
  const child = new Process(runWorker, { args: [queue, stop], name: 'worker' });
  child.start();

  await using executor = new RedisExecutor({ queue });
  console.log(await executor.submit(thumbnail, 'cat.png', 128));

  // map: results in input order.
  const squares: number[] = [];
  for await (const value of executor.map(square, [1, 2, 3, 4, 5])) squares.push(value);
  console.log(`squares: ${squares.join(' ')}`);

  // An error comes back with its class, message and fields.
  try {
    await executor.submit(checkout, { id: 7, items: 0 });
  } catch (error) {
    const { name, message, code } = error as Error & { code: string };
    console.log(`${name}: ${message} (${code})`);
  }

  // A failing task is run again after its backoff; after its retries it goes to the dead
  // letters (as the one above did, with none), where it can be inspected and re-driven.
  const retried = executor.submitWith({ retries: 2, backoff: (n) => 10 * n }, checkout, {
    id: 8,
    items: 0,
  });
  console.log(`after retries: ${((await retried.exception()) as Error).message}`);
  const dead = executor.deadLetters();
  for (const letter of await dead.list()) {
    const { message } = letter.error as Error;
    console.log(
      `dead letter: ${letter.task.split('#')[1]}, ${letter.attempts} attempt(s): ${message}`,
    );
    await dead.remove(letter.id);
  }

  stop.set();
  await child.join();
  console.log(`worker exit code: ${child.exitCode}`);
}
