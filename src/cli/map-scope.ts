/**
 * Where `weft map` runs its chunks — the `--mode`: tasks of the main thread (a `TaskPool`
 * of N), a `ThreadPoolExecutor` of N threads or a `ProcessPoolExecutor` of N processes.
 * Every scope runs a chunk with `mapChunk` (see map-chunk.ts) and says how many chunks it
 * wants handed to it ahead of time to keep every worker busy.
 * @module
 */

import type { Executor } from '../executor/executor.js';
import { ProcessPoolExecutor } from '../executor/process/process-pool-executor.js';
import { ThreadPoolExecutor } from '../executor/thread/thread-pool-executor.js';
import { TaskPool } from '../task/task-pool.js';
import { type ChunkOutcome, type LineChunk, mapChunk, mapChunkWith } from './map-chunk.js';
import type { MapTarget } from './map-target.js';

/** The modes of `weft map`, in the order the help lists them. */
export const MAP_MODES = ['tasks', 'threads', 'processes', 'redis'] as const;
export type MapMode = (typeof MAP_MODES)[number];

/** Runs chunks of lines somewhere, at most `workers` calls at once. */
export interface MapScope {
  /** Chunks to have in hand at once: enough that no worker waits for the next. */
  readonly window: number;
  /** Runs one chunk; rejects only when the worker running it died. */
  run(chunk: LineChunk): PromiseLike<ChunkOutcome>;
  /** Stops the workers (after the chunks handed over have settled). */
  close(): Promise<void>;
}

/** The scope `mode` names, with `workers` workers, calling `target`. */
export function openScope(
  mode: Exclude<MapMode, 'redis'>,
  workers: number,
  target: MapTarget,
  ordered: boolean,
): MapScope {
  if (mode === 'tasks') return taskScope(workers, target, ordered);
  const executor =
    mode === 'threads'
      ? new ThreadPoolExecutor({ maxWorkers: workers })
      : new ProcessPoolExecutor({ maxWorkers: workers });
  return executorScope(executor, workers, target, ordered);
}

/** Tasks of the main thread: N chunks at once, each a task of a `TaskPool(N)`. */
function taskScope(workers: number, target: MapTarget, ordered: boolean): MapScope {
  const pool = new TaskPool(workers);
  const fn = target.fn as (value: unknown) => unknown;
  return {
    window: workers,
    run: (chunk) => pool.spawn(mapChunkWith, fn, ordered, chunk),
    close: async () => {
      await pool.join();
    },
  };
}

/** An executor's workers: each has one chunk running and one waiting in its queue. */
function executorScope(
  executor: Executor,
  workers: number,
  target: MapTarget,
  ordered: boolean,
): MapScope {
  const { module, name } = target;
  return {
    window: 2 * workers,
    run: (chunk) => executor.submit(mapChunk, module, name, ordered, chunk.numbers, chunk.lines),
    close: () => executor.shutdown(),
  };
}
