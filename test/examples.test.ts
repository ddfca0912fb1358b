// Every program in examples/ runs as a reader would run it (`node --import tsx examples/<name>.ts`,
// importing from 'weft', i.e. the built dist/) and prints exactly its examples/<name>.expected.txt.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

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

/** Runs one example; one that hangs is killed after the limit and fails its test. */
function runExample(name: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`],
      { cwd: ROOT, timeout: limit },
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
