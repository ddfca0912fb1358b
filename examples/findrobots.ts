// The Python Cookbook's findrobots (recipe 12.8, "simple parallel programming"): which hosts
// asked for /robots.txt, across a directory of gzip-compressed Apache access logs? Each log is
// read in its own pool worker (map), then the sets are merged here (reduce). To run on its own,
// the example first writes a week of small, made-up logs into a temporary directory.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isMainModule, Pool, portable } from 'weft';

/** The IPs that requested /robots.txt in one gzipped log (an array: a Set would not cross). */
export const findRobots = portable(import.meta.url, function findRobots(filename: string) {
  const robots = new Set<string>();
  for (const line of gunzipSync(readFileSync(filename)).toString('ascii').split('\n')) {
    // 1.2.3.4 - - [date zone] "GET /path HTTP/1.1" status size: field 6 is the path.
    const fields = line.split(/\s+/);
    if (fields[6] === '/robots.txt') robots.add(fields[0]!);
  }
  return [...robots];
});

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
  const logdir = mkdtempSync(join(tmpdir(), 'findrobots-'));
  try {
    writeLogs(logdir);
    const files = readdirSync(logdir)
      .filter((name) => name.endsWith('.log.gz'))
      .map((name) => join(logdir, name));

    const pool = new Pool(); // one worker per CPU, as ProcessPoolExecutor()
    const allRobots = new Set<string>();
    try {
      for (const robots of await pool.map(findRobots, files)) {
        for (const ip of robots) allRobots.add(ip);
      }
    } finally {
      pool.close();
      await pool.join();
    }
    console.log(`${files.length} logs searched; hosts that asked for /robots.txt:`);
    for (const ip of [...allRobots].sort()) console.log(`  ${ip}`);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
}
