// Turns tsc's output (build/, one file per module) into what ships (dist/): the same entry
// files at the same paths, their code in shared chunks (esbuild, code splitting). Node loads
// a bundled weft in about half the time of its three hundred separate modules, which every
// worker thread and child process pays at its start.
//
// What stays true after bundling:
// - Every module that uses `import.meta.url` is an entry, at its own path: a portable
//   function's module URL is imported by workers, and `new URL('./x.js', import.meta.url)`
//   names other entries (the thread, process and pool entries).
// - Code moved into a chunk keeps its module's URL: each `import.meta.url` is replaced by
//   the URL of the module's entry file, computed from wherever the code ends up.
// - Class and function names are kept (errors and portable classes are known by name).
// - The declarations (.d.ts) are copied as tsc wrote them.
//
// Plain JavaScript: it runs with plain node as the last step of `npm run build`.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const from = join(root, 'build');
const to = join(root, 'dist');
/** What an `import.meta.url` becomes until the bundle is written: this, then the module's path. */
const MARK = '__weftModuleUrl:';

/** Entries that nothing names by `import.meta.url`: the package's exports and its bin. */
const FIXED_ENTRIES = ['index.js', 'redis/index.js', 'cli/weft.js'];

const posix = (path) => path.split(sep).join('/');

function modules() {
  return readdirSync(from, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => posix(relative(from, join(entry.parentPath, entry.name))));
}

/**
 * A module's code with each `import.meta.url` (in code, not in comments or strings) replaced
 * by a marked string naming the module, or `undefined` when it has none; and the relative
 * `.js` files it names with `new URL(file, import.meta.url)`.
 */
async function markModuleUrls(module, source) {
  const marker = `${MARK}${module}`;
  const { code } = await transform(source, {
    define: { 'import.meta.url': JSON.stringify(marker) },
    format: 'esm',
    loader: 'js',
  });
  if (!code.includes(marker)) return undefined;
  const targets = [];
  // The statement of each `new URL(...)` that has a mark in it: its relative .js files.
  for (const [statement] of code.matchAll(/new URL\([^;\n]*/g)) {
    if (!statement.includes(marker)) continue;
    for (const [, file] of statement.matchAll(/"(\.\.?\/[^"]+\.js)"/g)) targets.push(file);
  }
  return { code, targets };
}

const entries = new Set(FIXED_ENTRIES);
const rewrites = new Map();
for (const module of modules()) {
  const source = readFileSync(join(from, module), 'utf8');
  if (!source.includes('import.meta.url')) continue;
  const marked = await markModuleUrls(module, source);
  if (marked === undefined) continue;
  entries.add(module);
  for (const target of marked.targets) entries.add(posix(join(dirname(module), target)));
  rewrites.set(join(from, module), marked.code);
}
for (const entry of entries) {
  if (!existsSync(join(from, entry))) throw new Error(`bundle: entry ${entry} was not built`);
}

rmSync(to, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [...entries].sort().map((entry) => join(from, entry)),
  outbase: from,
  outdir: to,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  keepNames: true,
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'module-urls',
      setup(esbuild) {
        esbuild.onLoad({ filter: /\.js$/ }, (args) => {
          const contents = rewrites.get(args.path);
          return contents === undefined ? undefined : { contents, loader: 'js' };
        });
      },
    },
  ],
});

// Each marked string becomes the module's entry URL, relative to the file its code landed in.
let replaced = 0;
const marked = new RegExp(`"${MARK}([^"]+)"`, 'g');
for (const output of Object.keys(result.metafile.outputs)) {
  if (!output.endsWith('.js')) continue;
  const path = join(root, output);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(MARK)) continue;
  const next = text.replace(marked, (_, module) => {
    replaced++;
    let target = posix(relative(dirname(path), join(to, module)));
    if (!target.startsWith('.')) target = `./${target}`;
    return `new URL(${JSON.stringify(target)}, import.meta.url).href`;
  });
  writeFileSync(path, next);
}
if (replaced === 0) throw new Error('bundle: no import.meta.url was marked; the build changed');

// The declarations, as tsc wrote them, beside the bundle's entries.
cpSync(from, to, {
  recursive: true,
  filter: (source) => !source.endsWith('.js') && !source.endsWith('.js.map'),
});
