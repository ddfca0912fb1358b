/**
 * The Redis work queue: no-op tasks through one redis-server of the bench's own (a free port,
 * nothing on disk), at the same concurrency, submitted and awaited in one process: weft's
 * RedisExecutor + RedisWorker, BullMQ (Queue + Worker), and raw Streams (XADD, XREADGROUP,
 * XACK: the floor, with no result going back). Aims: weft at least 2x BullMQ and at least
 * 0.5x raw Streams.
 * @module
 */
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisExecutor, RedisWorker } from 'weft/redis';
import { startRedis } from '../test/support/redis-server.js';
import { type Contender, makeTable, measure, type Settings, type Table } from './harness.js';
import { noop } from './peers/redis-tasks.js';

/** Tasks running at once in every contender. */
const CONCURRENCY = 16;

const WEFT = 'weft RedisExecutor + RedisWorker';
const BULLMQ = 'BullMQ Queue + Worker';
const RAW = 'raw Streams XADD/XREADGROUP/XACK';

/** weft: `count` submits, every future awaited. */
async function weftContender(
  url: string,
  count: number,
): Promise<Contender & { close(): Promise<void> }> {
  const worker = new RedisWorker({
    queue: 'bench',
    redis: url,
    modules: [new URL('./peers/redis-tasks.ts', import.meta.url).href],
    concurrency: CONCURRENCY,
  });
  await worker.start();
  const executor = new RedisExecutor({ queue: 'bench', redis: url });
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

/** BullMQ: `count` adds; a run ends when the worker has completed them all. */
async function bullContender(
  url: string,
  count: number,
): Promise<Contender & { close(): Promise<void> }> {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  const queue = new BullQueue('bench', { connection });
  let completed = 0;
  let wake: (() => void) | undefined;
  const worker = new BullWorker('bench', async () => undefined, {
    connection,
    concurrency: CONCURRENCY,
  });
  worker.on('completed', () => {
    if (++completed === count) wake?.();
  });
  await worker.waitUntilReady();
  const options = { removeOnComplete: true, removeOnFail: true };
  return {
    name: BULLMQ,
    run: async () => {
      completed = 0;
      const done = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const adds = new Array(count);
      for (let i = 0; i < count; i++) adds[i] = queue.add('noop', null, options);
      await Promise.all(adds);
      await done;
    },
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}

/** Raw Streams: `count` XADDs (pipelined); one consumer reads CONCURRENCY at a time and XACKs each. */
async function rawContender(
  url: string,
  count: number,
): Promise<Contender & { close(): Promise<void> }> {
  const producer = new Redis(url, { enableAutoPipelining: true });
  const consumer = new Redis(url, { enableAutoPipelining: true });
  const reader = new Redis(url);
  const stream = 'bench:raw';
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

export async function redisSuites(settings: Settings): Promise<Table[]> {
  const count = settings.quick ? 2_000 : 20_000;
  settings.log(`Redis work queue: ${count} no-op tasks per run, concurrency ${CONCURRENCY}`);
  const server = await startRedis();
  const contenders: (Contender & { close(): Promise<void> })[] = [];
  let rows: Awaited<ReturnType<typeof measure>>;
  try {
    contenders.push(await weftContender(server.url, count));
    contenders.push(await bullContender(server.url, count));
    contenders.push(await rawContender(server.url, count));
    rows = await measure(contenders, count, settings);
  } finally {
    for (const contender of contenders) await contender.close().catch(() => undefined);
    await server.stop();
  }
  return [
    makeTable({
      title: `Redis work queue, no-op tasks (${count.toLocaleString('en')} per run, concurrency ${CONCURRENCY}, one redis-server)`,
      unit: 'tasks/s',
      ops: count,
      references: [BULLMQ, RAW],
      rows,
      targets: [
        { subject: WEFT, reference: BULLMQ, atLeast: 2 },
        { subject: WEFT, reference: RAW, atLeast: 0.5 },
      ],
      notes: [
        'All three in this process, on a redis-server of the bench own (free port, nothing on disk).',
        `weft: \`executor.submit(noop)\` ${count} times, every future awaited (the results come back through Redis); one RedisWorker, concurrency ${CONCURRENCY}, mode tasks.`,
        `BullMQ: \`queue.add('noop', null, { removeOnComplete: true })\` ${count} times; a run ends when the Worker (concurrency ${CONCURRENCY}) has emitted \`completed\` for every job (no result goes back to the adder).`,
        `raw Streams: XADD (auto-pipelined) ${count} times; one consumer XREADGROUP COUNT ${CONCURRENCY} BLOCK, an XACK per entry (the floor: no lease renewal, no fencing, no result).`,
      ],
    }),
  ];
}
