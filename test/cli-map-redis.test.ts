// `weft map --mode redis`: each line a task of a RedisExecutor on a queue of the test's own
// Redis, run by the command's own worker, or (--workers 0) by a `weft worker` elsewhere.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { FUNCTIONS, jsonLines, Scratch, WEFT, weftMap } from './support/weft-map.js';

const scratch = new Scratch();
let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  scratch.remove();
  await redis.stop();
});

const MODULE = fileURLToPath(new URL('./fixtures/map-functions.mjs', import.meta.url));
const numbers = Array.from({ length: 50 }, (_, i) => ({ n: i }));
const squares = jsonLines(numbers.map(({ n }) => ({ n, square: n * n })));

describe('weft map --mode redis', { timeout: 180_000 }, () => {
  test("the command's own worker runs the lines: results in input order, failures on stderr", async () => {
    const input = scratch.file('redis-mixed.jsonl', '{"n":1}\n{"x":3}\n{"n":5}\n');
    const run = await weftMap([
      `${FUNCTIONS}square`,
      input,
      '--mode',
      'redis',
      '--redis',
      redis.url,
      '--queue',
      'map-own',
      '--workers',
      '2',
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '{"n":1,"square":1}\nnull\n{"n":5,"square":25}\n');
    assert.equal(run.stderr, 'line 2: TypeError: expected { n: number }, got {"x":3}\n');
  });

  test('--workers 0: the lines wait for a `weft worker` of the same queue, which runs them', async () => {
    const worker = spawn(
      process.execPath,
      [WEFT, 'worker', '--redis', redis.url, '--queue', 'map-elsewhere', '--module', MODULE],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let workerErr = '';
    worker.stderr.setEncoding('utf8').on('data', (text: string) => {
      workerErr += text;
    });
    try {
      const run = await weftMap(
        [
          `${FUNCTIONS}square`,
          '--mode',
          'redis',
          '--redis',
          redis.url,
          '--queue',
          'map-elsewhere',
          '--workers',
          '0',
        ],
        jsonLines(numbers),
      );
      assert.equal(run.code, 0, `${run.stderr}\nworker: ${workerErr}`);
      assert.equal(run.stdout, squares);
    } finally {
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      await exited;
    }
  });
});
