// The published types (dist/*.d.ts, built with stripInternal) show only the public API and
// compile on their own, library checks on, as a user's compiler reads them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

function declarationFiles(): string[] {
  return readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

test('no @internal member ships in the published types', () => {
  const files = declarationFiles();
  assert.ok(files.length > 50, `expected the built declarations in dist/, found ${files.length}`);
  const leaking = files.filter((file) => readFileSync(file, 'utf8').includes('@internal'));
  assert.deepEqual(leaking, []);
});

test('the published types compile on their own, library checks on', async () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    tsc,
    '--ignoreConfig',
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    'false',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--lib',
    'es2023,esnext.disposable',
    '--types',
    'node',
    join(dist, 'index.d.ts'),
  ];
  const { stdout } = await run(process.execPath, args, { cwd: root, timeout: 300_000 }).catch(
    (error: { stdout?: string }) => ({ stdout: `${error.stdout ?? error}` }),
  );
  assert.equal(stdout.trim(), '');
});
