/**
 * The Redis work queue, in one run on one redis-server of the bench's own (a free port,
 * nothing on disk), submitted and awaited in one process: no-op tasks per second at the same
 * concurrency — weft's RedisExecutor + RedisWorker, BullMQ (Queue + Worker), bee-queue and
 * raw Streams (XADD, XREADGROUP, XACK: the floor, with no result going back); aims: weft at
 * least 2x BullMQ and at least 0.5x raw Streams. Then the end-to-end latency of one task on an
 * idle queue (bench/redis-latency.ts) and RedisQueue put + get (bench/redis-queue.ts), which
 * have no aims.
 * @module
 */
import { startRedis } from '../test/support/redis-server.js';
import { makeTable, measure, type Settings, type Table } from './harness.js';
import { redisLatencyTable } from './redis-latency.js';
import { redisQueueTable } from './redis-queue.js';
import {
  BEE,
  BULLMQ,
  beeContender,
  bullContender,
  CONCURRENCY,
  RAW,
  rawContender,
  type TaskContender,
  WEFT,
  weftContender,
} from './redis-task-contenders.js';

export async function redisSuites(settings: Settings): Promise<Table[]> {
  const count = settings.quick ? 2_000 : 20_000;
  settings.log(`Redis work queue: ${count} no-op tasks per run, concurrency ${CONCURRENCY}`);
  const server = await startRedis();
  const contenders: TaskContender[] = [];
  let rows: Awaited<ReturnType<typeof measure>>;
  let latency: Table;
  let items: Table;
  try {
    try {
      contenders.push(await weftContender(server.url, count));
      contenders.push(await bullContender(server.url, count));
      contenders.push(await beeContender(server.url, count));
      contenders.push(await rawContender(server.url, count));
      rows = await measure(contenders, count, settings);
    } finally {
      for (const contender of contenders) await contender.close().catch(() => undefined);
    }
    latency = await redisLatencyTable(server.url, settings);
    items = await redisQueueTable(server.url, settings);
  } finally {
    await server.stop();
  }
  return [
    makeTable({
      title: `Redis work queue, no-op tasks (${count.toLocaleString('en')} per run, concurrency ${CONCURRENCY}, one redis-server)`,
      unit: 'tasks/s',
      ops: count,
      references: [BULLMQ, BEE, RAW],
      rows,
      targets: [
        { subject: WEFT, reference: BULLMQ, atLeast: 2 },
        { subject: WEFT, reference: RAW, atLeast: 0.5 },
      ],
      notes: [
        'All four in this process, on a redis-server of the bench own (free port, nothing on disk).',
        `weft: \`executor.submit(noop)\` ${count} times, every future awaited (the results come back through Redis); one RedisWorker, concurrency ${CONCURRENCY}, mode tasks.`,
        `BullMQ: \`queue.add('noop', null, { removeOnComplete: true })\` ${count} times; a run ends when the Worker (concurrency ${CONCURRENCY}) has emitted \`completed\` for every job (no result goes back to the adder).`,
        `bee-queue 2.0.0: \`createJob(null).save()\` ${count} times (removeOnSuccess); a run ends when its worker queue (\`process(${CONCURRENCY}, …)\`) has emitted \`succeeded\` for every job (no result goes back to the saver).`,
        `raw Streams: XADD (auto-pipelined) ${count} times; one consumer XREADGROUP COUNT ${CONCURRENCY} BLOCK, an XACK per entry (the floor: no lease renewal, no fencing, no result).`,
      ],
    }),
    latency,
    items,
  ];
}
