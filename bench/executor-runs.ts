/**
 * weft's executor contenders of the thread-pool and process-pool suites: every task
 * submitted then all awaited, and `map` read with `for await` — the same code over either
 * executor, checked the same way — and the notes those two suites share.
 * @module
 */
import type { Future, ProcessPoolExecutor, ThreadPoolExecutor } from 'weft';
import { checkIncremented } from './peers/results.js';
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

/** The caveat beside every submit-all table: weft sends bursts, the peers do not. */
export function burstNote(burstFloor: string): string {
  return (
    "burst against one message per task: weft's executors send the tasks submitted in one " +
    'tick as one message per worker (as many as it may hold ahead, at most 64), while every ' +
    'peer sends one message per task, so this table measures batching as much as the cost ' +
    'of a task; the submit-and-await-each table compares one task at a time. ' +
    `"${burstFloor}" sends bursts as weft does: it is the floor to compare weft with.`
  );
}

/** How the submit-and-await-each tables are measured. */
export const awaitEachNote =
  'submit-and-await-each: each call submits one `x + 1` task and awaits its result before ' +
  'the next; every result is checked. Each round keeps the median of its round trips, the ' +
  'figure is the median of the rounds. Lower is better; "time vs" divides by that row\'s time.';
