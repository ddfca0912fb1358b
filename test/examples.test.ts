// Every program in examples/ runs as a reader would run it (`node --import tsx examples/<name>.ts`,
// importing from 'weft', i.e. the built dist/) and prints exactly its examples/<name>.expected.txt.
// Examples named redis-* get WEFT_REDIS_URL: a redis-server this file starts (or the one the
// environment names).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRedis, type TestRedis } from './support/redis-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How long an example may run before it counts as hung: a generous multiple of what starting
 * a program that loads tsx and weft costs on this machine now (measured, so a busy machine
 * gets a longer limit), never less than a minute.
 */
let limit = 60_000;
before(async () => {
  const started = performance.now();
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "await import('weft');"],
      { cwd: ROOT },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
  limit = Math.max(60_000, Math.ceil(40 * (performance.now() - started)));
});

/** The Redis the redis-* examples use, started when one of them first runs. */
let redis: Promise<TestRedis> | undefined;
after(async () => {
  await (await redis)?.stop();
});

/** Runs one example; one that hangs is killed after the limit and fails its test. */
async function runExample(name: string): Promise<{ stdout: string; stderr: string }> {
  let env = process.env;
  if (name.startsWith('redis-')) {
    redis ??= startRedis();
    env = { ...process.env, WEFT_REDIS_URL: (await redis).url };
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`],
      { cwd: ROOT, timeout: limit, env },
      (error, stdout, stderr) => {
        if (error?.killed) {
          reject(new Error(`examples/${name}.ts did not end within ${Math.round(limit / 1000)} s`));
        } else if (error)
          reject(new Error(`examples/${name}.ts failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

const EXAMPLES = new URL('../examples/', import.meta.url);
const names = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

describe('examples', { concurrency: 2 }, () => {
  test('every example has its expected output beside it (examples/<name>.expected.txt)', () => {
    const missing = names.filter((name) => !existsSync(new URL(`${name}.expected.txt`, EXAMPLES)));
    assert.deepEqual(missing, []);
  });

  for (const name of names) {
    test(`examples/${name}.ts prints examples/${name}.expected.txt`, async () => {
      const expected = readFileSync(new URL(`${name}.expected.txt`, EXAMPLES), 'utf8');
      const { stdout, stderr } = await runExample(name);
      assert.equal(stderr, '');
      assert.equal(stdout, expected);
    });
  }
});
