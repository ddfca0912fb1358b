// Python's multiprocessing recipe: Pool.apply_async with a callback that collects each result
// as it comes in, then close() and join(). The callbacks run here, in the main thread; the
// tasks run in the pool's workers. Tasks are exported, portable functions: each worker imports
// this module to find them, so the program itself is guarded like Python's
// `if __name__ == '__main__':`.
import { isMainModule, Pool, portable } from 'weft';

export const square = portable(import.meta.url, function square(x: number): number {
  return x * x;
});

export const takeStock = portable(import.meta.url, (item: string, count: number): string => {
  if (count === 0) throw new RangeError(`${item} are out of stock`);
  return `${count} ${item}`;
});

export const slowly = portable(import.meta.url, async (ms: number, value: string) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
});

if (isMainModule(import.meta)) {
  const pool = new Pool(2);

  // Each callback runs once its task is done, in completion order: sort, as the recipe does.
  const results: number[] = [];
  for (let i = 0; i < 10; i++) {
    pool.applyAsync(square, [i], { callback: (value) => results.push(value) });
  }

  // A task's error goes to errorCallback, and get() rejects with it.
  const stock = pool.applyAsync(takeStock, ['bolts', 0], {
    errorCallback: (error) => console.log(`errorCallback: ${error}`),
  });
  await stock.get().catch((error: Error) => console.log(`get: ${error.name}: ${error.message}`));
  console.log(`successful: ${stock.successful()}`);

  // get({ timeout }) gives up waiting, but the task goes on and its value still comes.
  const slow = pool.applyAsync(slowly, [200, 'done']);
  await slow
    .get({ timeout: 10 })
    .catch((error: Error) => console.log(`after 10 ms: ${error.name}`));
  console.log(`ready: ${slow.ready()}`);
  console.log(`later: ${await slow.get()}`);

  // close(): no new work; join(): wait until every task is done and the workers exited.
  pool.close();
  await pool.join();
  console.log(`squares: ${results.sort((a, b) => a - b).join(' ')}`);
}
