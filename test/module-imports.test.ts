// Every built module imports on its own, first, in a fresh process: no module depends on
// another having been imported before it (an import cycle makes one of them see the other
// half-initialized: `Cannot access 'x' before initialization`). Checked on tsc's output
// (build/, one file per module) and on what ships (dist/, the bundle's entries and chunks).
// And `src/` has no import cycle at all, type-only imports included (scripts/import-cycles.ts,
// also run by `npm test`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { cyclesOf, importGraph, importsOf } from '../scripts/import-cycles.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const build = join(root, 'build');

/** Entry modules of workers and children: imported anywhere else they refuse, saying what they are. */
const ENTRIES: Record<string, RegExp> = {
  'thread/thread-entry.js': /thread-entry is the entry of a weft thread/,
  'process/process-entry.js': /process-entry is the entry of a weft child process/,
  'executor/thread/pool-thread.js': /pool-thread is the entry of a worker thread/,
  'executor/process/pool-process.js': /pool-process is the entry of a weft pool process/,
  'net/server-child-entry.js': /server-child-entry is the entry of a weft server child/,
};

function builtModules(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .filter((module) => !module.startsWith('cli/'))
    .sort();
}

async function importAlone(dir: string, module: string): Promise<{ ok: boolean; stderr: string }> {
  const url = pathToFileURL(join(dir, module)).href;
  try {
    await run(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(url)});`],
      {
        cwd: root,
        timeout: 120_000,
      },
    );
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe('module independence', () => {
  for (const [dir, least] of [
    [build, 100],
    [dist, 30],
  ] as const) {
    const name = relative(root, dir);
    test(`every ${name}/ module imports first, on its own, in a fresh process`, async () => {
      const modules = builtModules(dir);
      assert.ok(
        modules.length > least,
        `expected the built library in ${name}/, found ${modules.length} modules`,
      );
      const failures: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < modules.length) {
          const module = modules[next++]!;
          const { ok, stderr } = await importAlone(dir, module);
          const entry = ENTRIES[module];
          if (entry === undefined && !ok) failures.push(`${module}:\n${stderr}`);
          if (entry !== undefined && (ok || !entry.test(stderr))) {
            failures.push(
              `${module} should refuse to be imported, saying what it is entry of:\n${stderr}`,
            );
          }
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      assert.deepEqual(failures, []);
    });
  }

  test('every file the bundle names by URL is there, and no module URL was left unplaced', () => {
    const missing: string[] = [];
    let named = 0;
    for (const module of builtModules(dist)) {
      const text = readFileSync(join(dist, module), 'utf8');
      assert.ok(!text.includes('__weftModuleUrl'), `${module} keeps an unplaced module URL`);
      // The module URLs scripts/bundle.mjs placed, and the entries named relative to them.
      for (const [, target] of text.matchAll(/new URL\("(\.[^"]+\.js)", import\.meta\.url\)/g)) {
        named++;
        if (!existsSync(join(dirname(join(dist, module)), target!))) {
          missing.push(`${module} -> ${target}`);
        }
      }
      for (const [, inner, base] of text.matchAll(
        /new URL\([^;\n]*?"(\.\.?\/[^"]+\.js)", new URL\("([^"]+)", import\.meta\.url\)\.href\)/g,
      )) {
        named++;
        const from = dirname(join(dirname(join(dist, module)), base!));
        if (!existsSync(join(from, inner!))) missing.push(`${module} -> ${base} -> ${inner}`);
      }
    }
    assert.ok(named > 10, `expected the bundle to name its entries by URL, found ${named}`);
    assert.deepEqual(missing, []);
  });

  test('src/ has no import cycle', () => {
    const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name));
    assert.deepEqual(cyclesOf(importGraph(files)), []);
  });

  test('the cycle check finds cycles, type-only imports included', () => {
    const sources: Record<string, string> = {
      '/x/a.ts': "import { b } from './b.js';",
      '/x/b.ts': "import type { C } from './c.js';\nexport const b = 1;",
      '/x/c.ts': "export { a } from './a.js';",
      '/x/d.ts': "import './a.js';\nconst lazy = () => import('./d.js');",
      '/x/e.ts': "import { b } from './b.js';",
    };
    assert.deepEqual(importsOf(sources['/x/d.ts']!), ['./a.js', './d.js']);
    const graph = importGraph(Object.keys(sources), (file) => sources[file]!);
    assert.deepEqual(cyclesOf(graph), [['/x/a.ts', '/x/b.ts', '/x/c.ts'], ['/x/d.ts']]);
  });
});
