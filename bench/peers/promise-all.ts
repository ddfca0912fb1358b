/**
 * The floor of the spawn benchmark: `Promise.all` over `tasks` calls of a plain async
 * function, with no task machinery at all. No weft import (see `bench/fresh.ts`).
 */
import type { Contender } from '../harness.js';

export const PROMISE_ALL = 'Promise.all';

async function plainTask(i: number): Promise<number> {
  return i;
}

async function promiseAll(tasks: number, batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const pending: Promise<number>[] = new Array(tasks);
    for (let i = 0; i < tasks; i++) pending[i] = plainTask(i);
    const results = await Promise.all(pending);
    for (let i = 0; i < tasks; i++) {
      if (results[i] !== i) throw new Error(`Promise.all: result ${i} is ${results[i]}`);
    }
  }
}

/** `batches` times: `Promise.all` over `tasks` calls. */
export function promiseAllFloor(tasks: number, batches: number): Contender {
  return { name: PROMISE_ALL, run: () => promiseAll(tasks, batches) };
}
