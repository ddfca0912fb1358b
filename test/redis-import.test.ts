// Importing `weft` never loads ioredis (the machine scope lives in `weft/redis`, loaded only
// by who imports it): checked in a fresh process, from the sources and from the built
// package, with `weft/redis` itself as the control that shows the check can see ioredis.
// Nor does serving this program's dashboard (`serveDashboard` from `weft` without `redis`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Which ioredis files a fresh process has loaded after importing `specifier` (and running `then` on it). */
function ioredisLoadedBy(specifier: string, then = ''): Promise<string[]> {
  const program = `
    import { createRequire } from 'node:module';
    const weft = await import(${JSON.stringify(specifier)});
    ${then}
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

  test("serving this program's dashboard loads no ioredis; serving a Redis's does", async () => {
    const serve = (options: string) => `
      const dashboard = await weft.serveDashboard(${options}).catch((error) => error);
      await dashboard.close?.();`;
    assert.deepEqual(await ioredisLoadedBy('./src/index.ts', serve('{ port: 0 }')), []);
    // The control: with `redis` (unreachable here) the same call loads the Redis reader.
    const withRedis = serve("{ port: 0, redis: 'redis://127.0.0.1:1', connectTimeout: 100 }");
    assert.notDeepEqual(await ioredisLoadedBy('./src/index.ts', withRedis), []);
  });
});
