/**
 * The floor of the spawn benchmark: `Promise.all` over `tasks` calls of a plain async
 * function, with no task machinery at all. No weft import (see `bench/fresh.ts`).
 */
import type { Contender } from '../harness.js';
import { batchItems, checkResults } from './results.js';

export const PROMISE_ALL = 'Promise.all';

async function plainTask(i: number): Promise<number> {
  return i;
}

async function promiseAll(items: number[], batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const pending: Promise<number>[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) pending[i] = plainTask(items[i]!);
    checkResults(await Promise.all(pending), items);
  }
}

/** `batches` times: `Promise.all` over `tasks` calls. */
export function promiseAllFloor(tasks: number, batches: number): Contender {
  const items = batchItems(tasks);
  return { name: PROMISE_ALL, run: () => promiseAll(items, batches) };
}
