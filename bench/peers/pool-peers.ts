/**
 * The JavaScript peers of the TaskPool benchmark, each used the way its README shows, with
 * a concurrency of `size`. No weft import: `bench/fresh.ts` runs these in a process where
 * no weft task ever starts.
 */
import fastq from 'fastq';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import type { Contender } from '../harness.js';
import { batchItems, checkResults } from './results.js';

/** Concurrency of every pool in the benchmark, as the TaskPool aim names it. */
export const POOL_SIZE = 10;

export const P_LIMIT = 'p-limit';
export const P_QUEUE = 'p-queue';
export const FASTQ = 'fastq';

// One trivial task per contender on purpose: a function shared by every contender would
// share V8's type feedback between them.

async function limitTask(i: number): Promise<number> {
  return i;
}

async function queueTask(i: number): Promise<number> {
  return i;
}

async function fastqTask(i: number): Promise<number> {
  return i;
}

async function limitBatches(size: number, items: number[], batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const limit = pLimit(size);
    checkResults(await Promise.all(items.map((i) => limit(() => limitTask(i)))), items);
  }
}

async function queueBatches(size: number, items: number[], batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const queue = new PQueue({ concurrency: size });
    checkResults(await queue.addAll(items.map((i) => () => queueTask(i))), items);
  }
}

async function fastqBatches(size: number, items: number[], batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const queue = fastq.promise(fastqTask, size);
    checkResults(await Promise.all(items.map((i) => queue.push(i))), items);
  }
}

/** p-limit, p-queue and fastq, each running `batches` batches of `tasks` trivial tasks. */
export function poolPeers(size: number, tasks: number, batches: number): Contender[] {
  const items = batchItems(tasks);
  return [
    { name: P_LIMIT, run: () => limitBatches(size, items, batches) },
    { name: P_QUEUE, run: () => queueBatches(size, items, batches) },
    { name: FASTQ, run: () => fastqBatches(size, items, batches) },
  ];
}
