/**
 * The task-queue contenders of the Redis bench (bench/redis.ts, bench/redis-latency.ts): each
 * runs `count` no-op tasks through one redis-server, at the same concurrency — weft's
 * RedisExecutor + RedisWorker, BullMQ (Queue + Worker), bee-queue, and raw Streams (XADD,
 * XREADGROUP, XACK: the floor, with no result going back). Each works on a queue name of its
 * own, so contenders made for another table never take each other's tasks.
 * @module
 */
import BeeQueue from 'bee-queue';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisExecutor, RedisWorker } from 'weft/redis';
import type { Contender } from './harness.js';
import { noop } from './peers/redis-tasks.js';

/** Tasks running at once in every contender. */
export const CONCURRENCY = 16;

export const WEFT = 'weft RedisExecutor + RedisWorker';
export const BULLMQ = 'BullMQ Queue + Worker';
export const BEE = 'bee-queue';
export const RAW = 'raw Streams XADD/XREADGROUP/XACK';

/** A contender holding connections and workers until `close()`. */
export type TaskContender = Contender & { close(): Promise<void> };

/** weft: `count` submits, every future awaited. */
export async function weftContender(
  url: string,
  count: number,
  name = 'bench',
): Promise<TaskContender> {
  const worker = new RedisWorker({
    queue: name,
    redis: url,
    modules: [new URL('./peers/redis-tasks.ts', import.meta.url).href],
    concurrency: CONCURRENCY,
  });
  await worker.start();
  const executor = new RedisExecutor({ queue: name, redis: url });
  return {
    name: WEFT,
    run: async () => {
      const futures = new Array(count);
      for (let i = 0; i < count; i++) futures[i] = executor.submit(noop);
      await Promise.all(futures);
    },
    close: async () => {
      await executor.shutdown();
      await worker.close();
    },
  };
}

/**
 * A run of `count` jobs whose completions a worker reports: `run(add)` calls `add` `count`
 * times and resolves once `complete` (the worker's completion listener) was called as often.
 */
function completions(count: number) {
  let completed = 0;
  let wake: (() => void) | undefined;
  return {
    complete: (): void => {
      if (++completed === count) wake?.();
    },
    async run(add: () => Promise<unknown>): Promise<void> {
      completed = 0;
      const done = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const adds = new Array<Promise<unknown>>(count);
      for (let i = 0; i < count; i++) adds[i] = add();
      await Promise.all(adds);
      await done;
    },
  };
}

/** BullMQ: `count` adds; a run ends when the worker has completed them all. */
export async function bullContender(
  url: string,
  count: number,
  name = 'bench',
): Promise<TaskContender> {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  const queue = new BullQueue(name, { connection });
  const jobs = completions(count);
  const worker = new BullWorker(name, async () => undefined, {
    connection,
    concurrency: CONCURRENCY,
  });
  worker.on('completed', jobs.complete);
  await worker.waitUntilReady();
  const options = { removeOnComplete: true, removeOnFail: true };
  return {
    name: BULLMQ,
    run: () => jobs.run(() => queue.add('noop', null, options)),
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}

/** bee-queue: `count` jobs saved; a run ends when its worker has emitted `succeeded` for them all. */
export async function beeContender(
  url: string,
  count: number,
  name = 'bench',
): Promise<TaskContender> {
  const { hostname, port } = new URL(url);
  const redis = { host: hostname, port: Number(port) };
  const settings = { redis, removeOnSuccess: true, removeOnFailure: true };
  const producer = new BeeQueue(name, {
    ...settings,
    isWorker: false,
    getEvents: false,
    storeJobs: false,
  });
  const worker = new BeeQueue(name, { ...settings, getEvents: false, sendEvents: false });
  const jobs = completions(count);
  worker.process(CONCURRENCY, async () => undefined);
  worker.on('succeeded', jobs.complete);
  await Promise.all([producer.ready(), worker.ready()]);
  return {
    name: BEE,
    run: () => jobs.run(() => producer.createJob(null).save()),
    close: async () => {
      await worker.close();
      await producer.close();
    },
  };
}

/** Raw Streams: `count` XADDs (pipelined); one consumer reads CONCURRENCY at a time and XACKs each. */
export async function rawContender(
  url: string,
  count: number,
  name = 'bench',
): Promise<TaskContender> {
  const producer = new Redis(url, { enableAutoPipelining: true });
  const consumer = new Redis(url, { enableAutoPipelining: true });
  const reader = new Redis(url);
  const stream = `${name}:raw`;
  await producer.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
  let acked = 0;
  let stop = false;
  let wake: (() => void) | undefined;
  let target = 0;
  const consume = async () => {
    while (!stop) {
      const reply = (await reader.xreadgroup(
        'GROUP',
        'g',
        'c',
        'COUNT',
        CONCURRENCY,
        'BLOCK',
        100,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][] | null;
      if (reply === null) continue;
      const entries = reply[0]![1];
      // Each no-op entry is "run", then acknowledged on its own, as a worker would.
      for (const [id] of entries) {
        consumer.xack(stream, 'g', id).then(() => {
          if (++acked === target) wake?.();
        });
      }
    }
  };
  const consuming = consume();
  return {
    name: RAW,
    run: async () => {
      acked = 0;
      target = count;
      const done = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const adds = new Array(count);
      for (let i = 0; i < count; i++) adds[i] = producer.xadd(stream, '*', 'd', '0');
      await Promise.all(adds);
      await done;
      await producer.xtrim(stream, 'MAXLEN', 0);
    },
    close: async () => {
      stop = true;
      await consuming;
      producer.disconnect();
      consumer.disconnect();
      reader.disconnect();
    },
  };
}
