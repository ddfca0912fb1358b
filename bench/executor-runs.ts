/**
 * weft's executor contenders of the thread-pool and process-pool suites: every task
 * submitted then all awaited, and `map` read with `for await` — the same code over either
 * executor, checked the same way.
 * @module
 */
import type { Future, ProcessPoolExecutor, ThreadPoolExecutor } from 'weft';
import { checkIncremented } from './peers/thread-pools.js';
import { increment } from './thread-task.js';

type AnyExecutor = ThreadPoolExecutor | ProcessPoolExecutor;

/** `executor.submit(increment, i)` for every item, then all awaited and checked. */
export async function submitAll(executor: AnyExecutor, items: number[]): Promise<void> {
  const futures: Future<number>[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) futures[i] = executor.submit(increment, items[i]!);
  checkIncremented(await Promise.all(futures), items);
}

/** `for await` over `executor.map(increment, items, { chunksize })`, checked. */
export async function mapAll(
  executor: AnyExecutor,
  items: number[],
  chunksize?: number,
): Promise<void> {
  const results: number[] = [];
  for await (const value of executor.map(increment, items, { chunksize })) results.push(value);
  checkIncremented(results, items);
}
