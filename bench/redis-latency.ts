/**
 * End-to-end latency of one task on an idle Redis task queue: submit one no-op task, wait
 * until it is done, then the next — p50 and p99 per round, for weft's RedisExecutor +
 * RedisWorker, BullMQ, bee-queue and raw Streams (the floor). No aims: the figures are
 * reported as they are.
 * @module
 */
import { makeTable, median, type Row, type Settings, type Table } from './harness.js';
import {
  BEE,
  BULLMQ,
  beeContender,
  bullContender,
  RAW,
  rawContender,
  type TaskContender,
  weftContender,
} from './redis-task-contenders.js';

/** Each contender's tasks, one at a time, on queues no other table uses. */
async function contenders(url: string): Promise<TaskContender[]> {
  const made: TaskContender[] = [];
  try {
    made.push(await weftContender(url, 1, 'latency'));
    made.push(await bullContender(url, 1, 'latency'));
    made.push(await beeContender(url, 1, 'latency'));
    made.push(await rawContender(url, 1, 'latency'));
  } catch (error) {
    for (const contender of made) await contender.close().catch(() => undefined);
    throw error;
  }
  return made;
}

/** The `fraction` quantile of `sorted` (ascending). */
function quantile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/**
 * Rows `NAME p50` and `NAME p99` (µs) per contender: each round runs `calls` tasks one after
 * the other per contender (the order rotating between rounds, after one warm-up round), and
 * a row's figure is the median over the rounds of that round's quantile.
 */
async function percentiles(
  list: TaskContender[],
  calls: number,
  settings: Settings,
): Promise<Row[]> {
  const p50 = list.map((): number[] => []);
  const p99 = list.map((): number[] => []);
  for (let round = -1; round < settings.rounds; round++) {
    for (let k = 0; k < list.length; k++) {
      const index = (k + Math.max(round, 0)) % list.length;
      const times: number[] = new Array(calls);
      for (let i = 0; i < calls; i++) {
        const start = performance.now();
        await list[index]!.run();
        times[i] = (performance.now() - start) * 1000;
      }
      times.sort((a, b) => a - b);
      if (round < 0) continue;
      p50[index]!.push(quantile(times, 0.5));
      p99[index]!.push(quantile(times, 0.99));
    }
    settings.log(round < 0 ? '  warm-up done' : `  round ${round + 1}/${settings.rounds} done`);
  }
  return list.flatMap((contender, i) => [
    { name: `${contender.name} p50`, median: median(p50[i]!), samples: p50[i]! },
    { name: `${contender.name} p99`, median: median(p99[i]!), samples: p99[i]! },
  ]);
}

/** The latency table, on the redis-server at `url`. */
export async function redisLatencyTable(url: string, settings: Settings): Promise<Table> {
  const calls = settings.quick ? 100 : 500;
  settings.log(`Redis task latency: ${calls} tasks one at a time per round`);
  const list = await contenders(url);
  let rows: Row[];
  try {
    rows = await percentiles(list, calls, settings);
  } finally {
    for (const contender of list) await contender.close().catch(() => undefined);
  }
  return makeTable({
    title: `Redis task queue, end-to-end latency of one no-op task on an idle queue (${calls} sequential tasks per round)`,
    unit: 'latency',
    ops: calls,
    references: [`${BULLMQ} p50`, `${BEE} p50`, `${RAW} p50`],
    rows,
    targets: [],
    latency: true,
    notes: [
      'From the submit to the moment the task is known done, one task at a time, the queue otherwise idle; p50 and p99 of each round, the median over the rounds.',
      'weft: `await executor.submit(noop)` (the result comes back through Redis). BullMQ: `queue.add` until the Worker emits `completed`; bee-queue: `createJob(null).save()` until the worker emits `succeeded` (neither sends a result back to the adder). raw Streams: XADD until the consumer XACKs.',
    ],
  });
}
