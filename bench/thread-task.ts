/**
 * The tasks of the thread-pool benchmark for weft's ThreadPoolExecutor: exported and marked
 * portable, so pool workers find them by importing this module (TypeScript, through the
 * tsx loader the workers inherit). The peers' workers load bench/peers/*-task.mjs.
 * @module
 */
import { threadId } from 'node:worker_threads';
import { portable } from 'weft';

/** The trivial task: as little work as a task can do, so the pool's own cost shows. */
export const increment = portable(import.meta.url, function increment(x: number): number {
  return x + 1;
});

/** The CPU-bound task: naive recursive Fibonacci. */
export const fib = portable(import.meta.url, function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
});

/** Which worker thread runs it: a bench waits until every worker of a pool has answered. */
export const whichThread = portable(import.meta.url, function whichThread(): number {
  return threadId;
});

/** `fib(n)` and which worker thread computed it: a bench counts how a burst was split. */
export const fibWhere = portable(import.meta.url, function fibWhere(n: number): [number, number] {
  return [fib(n), threadId];
});
