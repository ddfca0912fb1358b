/**
 * `weft map --mode redis`: every line becomes a task of a `RedisExecutor` on the queue
 * `--queue` of the Redis at `--redis`, run by `weft worker`s anywhere (their `--module`
 * allow-list must name the map's module) and, unless `--workers 0`, by a `RedisWorker` this
 * command starts itself with that many threads. weft/redis (and ioredis) load only here.
 * @module
 */
import { type ChunkOutcome, type LineChunk, OutcomeWriter } from './map-chunk.js';
import type { MapScope } from './map-scope.js';
import type { MapTarget } from './map-target.js';

/** Where the lines go in redis mode. */
export interface RedisMapOptions {
  readonly redis: string | undefined;
  readonly queue: string;
  /** Threads of the worker this command runs itself (0: none, the lines wait for workers elsewhere). */
  readonly workers: number;
}

/** Opens the executor (and the local worker): each chunk's lines are submitted at once. */
export async function openRedisScope(
  target: MapTarget,
  ordered: boolean,
  options: RedisMapOptions,
): Promise<MapScope> {
  const { RedisExecutor, RedisWorker } = await import('../redis/index.js');
  const connection = { redis: options.redis, queue: options.queue };
  const executor = new RedisExecutor(connection);
  const worker =
    options.workers > 0
      ? new RedisWorker({
          ...connection,
          modules: [target.module],
          concurrency: options.workers,
          mode: 'threads',
        })
      : undefined;
  await worker?.start();
  const fn = { module: target.module, name: target.name };
  return {
    // Enough lines in flight to keep every worker of the queue fed through Redis's round trips.
    window: Math.max(2, 2 * options.workers),
    run: (chunk) => runChunk(chunk, ordered, (value) => executor.submit(fn, value)),
    close: async () => {
      await executor.shutdown();
      await worker?.close();
    },
  };
}

/** Submits every line of `chunk` at once and writes their outcomes in line order. */
async function runChunk(
  chunk: LineChunk,
  ordered: boolean,
  submit: (value: unknown) => PromiseLike<unknown>,
): Promise<ChunkOutcome> {
  const outcome = new OutcomeWriter(ordered);
  const { numbers, lines } = chunk;
  const calls = lines.map((line) => {
    try {
      return Promise.resolve(submit(JSON.parse(line)));
    } catch (err) {
      return Promise.reject(err);
    }
  });
  for (let i = 0; i < calls.length; i++) {
    try {
      outcome.result(numbers[i]!, await calls[i]);
    } catch (err) {
      outcome.failure(numbers[i]!, err);
    }
  }
  return outcome.finish(lines.length);
}
