/**
 * RedisQueue put + get: one producer putting items, one consumer getting and acknowledging
 * them, each awaiting every call, through one redis-server — beside raw LPUSH/BRPOP with the
 * same shape (the floor: no lease, no acknowledgement, no count). No aim: reported as is.
 * @module
 */
import { Redis } from 'ioredis';
import { RedisQueue } from 'weft/redis';
import { type Contender, makeTable, measure, type Settings, type Table } from './harness.js';

const WEFT = 'weft RedisQueue put + get + taskDone';
const RAW = 'raw LPUSH / BRPOP';

type QueueContender = Contender & { close(): Promise<void> };

/** weft: the producer awaits each `put`, the consumer each `get` and `taskDone`. */
function weftContender(url: string, count: number): QueueContender {
  const producer = new RedisQueue<number>('bench-items', { redis: url });
  const consumer = new RedisQueue<number>('bench-items', { redis: url });
  return {
    name: WEFT,
    run: async () => {
      const consume = async () => {
        for (let i = 0; i < count; i++) {
          await consumer.get();
          await consumer.taskDone();
        }
      };
      const consuming = consume();
      for (let i = 0; i < count; i++) await producer.put(i);
      await consuming;
    },
    close: async () => {
      await producer.destroy();
      await consumer.close();
    },
  };
}

/** raw: the producer awaits each LPUSH, the consumer each BRPOP (on a connection of its own). */
function rawContender(url: string, count: number): QueueContender {
  const producer = new Redis(url);
  const consumer = new Redis(url);
  const list = 'bench-items:raw';
  return {
    name: RAW,
    run: async () => {
      const consume = async () => {
        for (let i = 0; i < count; i++) await consumer.brpop(list, 0);
      };
      const consuming = consume();
      for (let i = 0; i < count; i++) await producer.lpush(list, String(i));
      await consuming;
    },
    close: async () => {
      await producer.del(list);
      producer.disconnect();
      consumer.disconnect();
    },
  };
}

/** The put + get table, on the redis-server at `url`. */
export async function redisQueueTable(url: string, settings: Settings): Promise<Table> {
  const count = settings.quick ? 2_000 : 10_000;
  settings.log(`RedisQueue put + get: ${count} items per run, one producer, one consumer`);
  const contenders = [weftContender(url, count), rawContender(url, count)];
  let rows: Awaited<ReturnType<typeof measure>>;
  try {
    rows = await measure(contenders, count, settings);
  } finally {
    for (const contender of contenders) await contender.close().catch(() => undefined);
  }
  return makeTable({
    title: `RedisQueue put + get, one producer and one consumer (${count.toLocaleString('en')} items per run, one redis-server)`,
    unit: 'items/s',
    ops: count,
    references: [RAW],
    rows,
    targets: [],
    notes: [
      `weft: \`await producer.put(i)\` ${count} times while another RedisQueue object of the name runs \`await consumer.get(); await consumer.taskDone()\` ${count} times (each item leased, then acknowledged with its fencing token).`,
      `raw: \`await LPUSH\` ${count} times while another connection runs \`await BRPOP\` ${count} times (the floor: an item popped is gone, nothing leased or acknowledged).`,
    ],
  });
}
