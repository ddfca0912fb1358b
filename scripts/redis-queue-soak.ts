/**
 * The soak of test/redis-queue-leases.test.ts's kill loop, bigger: consumer processes of one
 * RedisQueue killed with SIGKILL at random instants while they work through many items.
 * Afterwards every item was acknowledged (join returns), none was completed twice by a live
 * consumer, and the items never reported done are at most one per kill (acknowledged just
 * before the kill, before the consumer could say so). Uses a redis-server of its own when the
 * binary is there, else WEFT_REDIS_URL.
 *
 * Usage: `WEFT_SOAK_ITEMS=5000 WEFT_SOAK_CONSUMERS=4 node --import tsx scripts/redis-queue-soak.ts`
 * @module
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RedisQueue } from '../src/redis/index.js';
import { startRedis } from '../test/support/redis-server.js';

const items = Number(process.env.WEFT_SOAK_ITEMS ?? 5_000);
const consumers = Number(process.env.WEFT_SOAK_CONSUMERS ?? 4);
const VISIBILITY_MS = 500;
const CONSUMER = fileURLToPath(
  new URL('../test/fixtures/redis-queue-consumer.ts', import.meta.url),
);

const server = await startRedis();
const name = `soak-${process.pid}`;
const queue = new RedisQueue<number>(name, { redis: server.url, visibilityTimeout: VISIBILITY_MS });
const done = new Map<number, number>();
const alive = new Set<ChildProcess>();
let kills = 0;

function startConsumer(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CONSUMER, server.url, name, String(VISIBILITY_MS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [what, item] = line.split(' ');
    if (what === 'done') done.set(Number(item), (done.get(Number(item)) ?? 0) + 1);
  });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  return child;
}

const started = performance.now();
try {
  for (let i = 0; i < items; i++) await queue.put(i);
  for (let i = 0; i < consumers; i++) startConsumer();
  // Kill a random consumer every little while and start another, until every item is done.
  while (!(await queue.join({ timeout: 100 + Math.random() * 400 }))) {
    const victims = [...alive];
    const victim = victims[Math.floor(Math.random() * victims.length)];
    if (victim !== undefined) {
      victim.kill('SIGKILL');
      await once(victim, 'exit');
      kills++;
    }
    startConsumer();
  }
  await queue.shutdown();
  await Promise.all([...alive].map((child) => once(child, 'exit')));
  const twice = [...done].filter(([, times]) => times > 1);
  assert.deepEqual(twice, [], 'no item may be completed twice');
  assert.ok(
    done.size >= items - kills,
    `${items - done.size} items unreported after ${kills} kills`,
  );
  console.log(
    `${items} items, ${kills} consumers killed: every item acknowledged, none twice ` +
      `(${items - done.size} acknowledged just before a kill), ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  for (const child of alive) child.kill('SIGKILL');
  await queue.destroy().catch(() => {});
  await server.stop();
}
