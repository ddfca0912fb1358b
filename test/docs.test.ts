// The documentation cannot go stale silently: every ```ts and ```js block of README.md and
// docs/*.md is written out as a module of its own (inside the repository, so `from 'weft'`
// resolves to the built package by its name, as in a user's program) and all of them are
// type-checked in one `tsc --noEmit` run with the project's compiler options. A failure names
// the document and the line. Every relative link must reach a file, and its #anchor a heading.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CHECKED_LANGUAGES,
  type CodeBlock,
  codeBlocks,
  documents,
  headingAnchors,
  relativeLinks,
} from './support/doc-blocks.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRATCH = join(ROOT, '.scratch', 'docs-check', `run-${process.pid}`);
const TSC = join(
  dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
  'bin',
  'tsc',
);
/** Languages a block may have; only CHECKED_LANGUAGES are compiled. */
const LANGUAGES = new Set(['ts', 'js', 'sh', 'text']);
/** How many blocks may opt out of the check: a handful, each with its reason. */
const MAX_NOT_CHECKED = 5;

// A block that must fail, checked in the same run: proves a broken block is reported, at its line.
const CANARY: CodeBlock = {
  doc: '(canary)',
  line: 1,
  language: 'ts',
  notChecked: undefined,
  files: [{ name: 'main.ts', firstLine: 2, text: "import { Lock } from 'weft';\n\nnew Lock(3);" }],
};
const CANARY_ERROR = /^\(canary\):4: error TS2554: Expected 0 arguments, but got 1\.$/;

const blocks = documents(ROOT).flatMap((doc) => codeBlocks(ROOT, doc));
const checked = blocks.filter((b) => b.language in CHECKED_LANGUAGES && b.notChecked === undefined);

after(() => {
  rmSync(SCRATCH, { recursive: true, force: true });
  try {
    rmdirSync(dirname(SCRATCH)); // only when no other run is using it
  } catch {}
});

/** Writes each block's files into a directory of its own; returns generated path → block file. */
function writeBlocks(all: readonly CodeBlock[]): Map<string, { doc: string; firstLine: number }> {
  const origins = new Map<string, { doc: string; firstLine: number }>();
  for (const block of all) {
    const dir = `${block.doc.replaceAll(/[^\w]/g, '_')}-${block.line}`;
    for (const file of block.files) {
      const path = join(dir, file.name);
      mkdirSync(join(SCRATCH, dir), { recursive: true });
      // `export {}` makes every block a module, so names never clash across blocks.
      writeFileSync(join(SCRATCH, path), `${file.text}\nexport {};\n`);
      origins.set(path, { doc: block.doc, firstLine: file.firstLine });
    }
  }
  writeFileSync(
    join(SCRATCH, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(SCRATCH, join(ROOT, 'tsconfig.json')),
      compilerOptions: {
        noEmit: true,
        rootDir: '.',
        allowJs: true,
        checkJs: true,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
      },
      include: ['**/*.ts', '**/*.js'],
    }),
  );
  return origins;
}

/** Runs tsc once over the scratch directory; resolves with its diagnostics, one per line. */
function typeCheck(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [TSC, '-p', 'tsconfig.json', '--pretty', 'false'],
      { cwd: SCRATCH, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error?.killed) reject(new Error('tsc did not end within 120 s'));
        else if (stderr !== '') reject(new Error(`tsc failed: ${stderr}`));
        else resolve(stdout.split('\n').filter((line) => line.trim() !== ''));
      },
    );
  });
}

describe('documentation', () => {
  test('every code block has a known language, and few opt out of the check', () => {
    const unknown = blocks.filter((b) => !LANGUAGES.has(b.language));
    assert.deepEqual(
      unknown.map((b) => `${b.doc}:${b.line}: \`\`\`${b.language}`),
      [],
      `use one of: ${[...LANGUAGES].join(', ')}`,
    );
    const optedOut = blocks.filter((b) => b.notChecked !== undefined);
    for (const b of optedOut)
      assert.notEqual(b.notChecked, '', `${b.doc}:${b.line}: give a reason`);
    assert.ok(
      optedOut.length <= MAX_NOT_CHECKED,
      `${optedOut.length} blocks are marked not-checked (at most ${MAX_NOT_CHECKED}): ${optedOut
        .map((b) => `${b.doc}:${b.line}`)
        .join(', ')}`,
    );
    assert.ok(checked.length > 30, `only ${checked.length} blocks found to check`);
  });

  test('every ts and js block type-checks (strict, NodeNext), in one tsc run', {
    timeout: 150_000,
  }, async () => {
    assert.ok(
      existsSync(join(ROOT, 'dist', 'index.d.ts')),
      "the blocks import 'weft', i.e. dist/: run `npm run build` first",
    );
    const origins = writeBlocks([...checked, CANARY]);
    const diagnostics: string[] = [];
    for (const line of await typeCheck()) {
      const at = /^(.+?)\((\d+),\d+\): (.*)$/.exec(line);
      const origin = at === null ? undefined : origins.get(at[1]!);
      if (at === null || origin === undefined) diagnostics.push(line);
      else diagnostics.push(`${origin.doc}:${origin.firstLine + Number(at[2]) - 1}: ${at[3]}`);
    }
    const canary = diagnostics.filter((d) => CANARY_ERROR.test(d));
    assert.equal(
      canary.length,
      1,
      `the canary's error was not reported:\n${diagnostics.join('\n')}`,
    );
    const errors = diagnostics.filter((d) => !CANARY_ERROR.test(d));
    assert.deepEqual(errors, [], `documentation blocks that do not compile:\n${errors.join('\n')}`);
  });

  test('every relative link reaches a file, and every #anchor a heading there', () => {
    const broken: string[] = [];
    for (const doc of documents(ROOT)) {
      for (const link of relativeLinks(ROOT, doc)) {
        const [path, anchor] = link.target.split('#') as [string, string | undefined];
        const file = path === '' ? doc : join(dirname(doc), path);
        if (!existsSync(join(ROOT, file))) broken.push(`${doc}:${link.line}: ${link.target}`);
        else if (anchor !== undefined && !headingAnchors(ROOT, file).has(anchor)) {
          broken.push(`${doc}:${link.line}: ${link.target} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });
});
