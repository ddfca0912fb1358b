// Importing `weft` never loads ioredis (the machine scope lives in `weft/redis`, loaded only
// by who imports it): checked in a fresh process, from the sources and from the built
// package, with `weft/redis` itself as the control that shows the check can see ioredis.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Which ioredis files a fresh process has loaded after importing `specifier`. */
function ioredisLoadedBy(specifier: string): Promise<string[]> {
  const program = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(specifier)});
    const cache = createRequire(import.meta.url).cache;
    const loaded = Object.keys(cache).filter((file) => /[\\\\/]node_modules[\\\\/]ioredis[\\\\/]/.test(file));
    process.stdout.write(JSON.stringify(loaded));
  `;
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', program],
      { cwd: ROOT, timeout: 120_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as string[])),
    ),
  );
}

describe('importing weft leaves ioredis unloaded', { timeout: 300_000 }, () => {
  test('from the sources: weft loads no ioredis, weft/redis does', async () => {
    assert.deepEqual(await ioredisLoadedBy('./src/index.ts'), []);
    assert.notDeepEqual(await ioredisLoadedBy('./src/redis/index.ts'), []);
  });

  test('from the built package: weft loads no ioredis, weft/redis does', async () => {
    assert.deepEqual(await ioredisLoadedBy('weft'), []);
    assert.notDeepEqual(await ioredisLoadedBy('weft/redis'), []);
  });
});
