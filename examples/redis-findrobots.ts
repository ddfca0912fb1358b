// The Python Cookbook's findrobots (recipe 12.8) as a map-reduce across machines: which hosts
// asked for /robots.txt, and how often, across a week of gzipped Apache logs? A RedisExecutor
// maps each log to its counts on RedisWorkers — here two child processes, as `weft worker`
// would run them on other machines (which would then read the logs from shared storage) — and
// the counts are reduced here. The example first writes the logs into a temporary directory.
// Needs a Redis server: WEFT_REDIS_URL, else redis://127.0.0.1:6379.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  Event,
  type Event as EventType,
  type HandleOf,
  isMainModule,
  Process,
  portable,
} from 'weft';
import { RedisExecutor, RedisWorker } from 'weft/redis';

/** The map: how many times each host asked for /robots.txt in one gzipped log. */
export const countRobots = portable(import.meta.url, function countRobots(filename: string) {
  const counts: Record<string, number> = {};
  for (const line of gunzipSync(readFileSync(filename)).toString('ascii').split('\n')) {
    // 1.2.3.4 - - [date zone] "GET /path HTTP/1.1" status size: field 6 is the path.
    const fields = line.split(/\s+/);
    if (fields[6] === '/robots.txt') counts[fields[0]!] = (counts[fields[0]!] ?? 0) + 1;
  }
  return counts;
});

/** A worker in this child process until `stop` is set; then it closes gracefully. */
export const runWorker = portable(
  import.meta.url,
  async (queue: string, stop: HandleOf<EventType>): Promise<void> => {
    const worker = new RedisWorker({ queue, modules: [import.meta.url], concurrency: 2 });
    await worker.start();
    await stop.wait();
    await worker.close({ timeout: 10_000 });
  },
);

/** Writes one log per day; the same inputs always give the same logs. */
function writeLogs(dir: string): void {
  const pages = ['/index.html', '/about.html', '/robots.txt', '/news.html', '/favicon.ico'];
  for (let day = 1; day <= 7; day++) {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const page = pages[(i * 7 + day) % pages.length];
      // Only a few hosts are crawlers; everyone else asks for pages, never robots.txt.
      const ip =
        page === '/robots.txt' ? `66.249.${day % 3}.${(i % 4) + 1}` : `10.0.${day}.${i % 50}`;
      const time = `${String(day).padStart(2, '0')}/Mar/2024:${String(i % 24).padStart(2, '0')}:00:00 +0000`;
      lines.push(`${ip} - - [${time}] "GET ${page} HTTP/1.1" 200 ${1000 + i}`);
    }
    writeFileSync(join(dir, `access-2024-03-0${day}.log.gz`), gzipSync(`${lines.join('\n')}\n`));
  }
}

if (isMainModule(import.meta)) {
  const logdir = mkdtempSync(join(tmpdir(), 'redis-findrobots-'));
  const queue = 'example-findrobots'; // the task queue the workers serve
  const stop = new Event();
  const workers = [1, 2].map(
    (n) => new Process(runWorker, { args: [queue, stop], name: `worker-${n}` }),
  );
  try {
    writeLogs(logdir);
    const files = readdirSync(logdir)
      .filter((name) => name.endsWith('.log.gz'))
      .sort()
      .map((name) => join(logdir, name));
    for (const worker of workers) worker.start();

    await using executor = new RedisExecutor({ queue });
    const total = new Map<string, number>();
    // map: one task per log, results in input order; reduce: add up the counts.
    for await (const counts of executor.map(countRobots, files)) {
      for (const [ip, n] of Object.entries(counts)) total.set(ip, (total.get(ip) ?? 0) + n);
    }
    console.log(
      `${files.length} logs searched by ${workers.length} Redis workers; /robots.txt requests by host:`,
    );
    for (const [ip, n] of [...total].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`  ${ip.padEnd(12)} ${n}`);
    }
  } finally {
    stop.set();
    for (const worker of workers) await worker.join();
    rmSync(logdir, { recursive: true, force: true });
  }
  console.log(`worker exit codes: ${workers.map((worker) => worker.exitCode).join(' ')}`);
}
