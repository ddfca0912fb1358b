/**
 * Fails when the modules under a folder (default `src`) import each other in a cycle,
 * counting type-only imports too: a cycle is a tangle even where the compiler erases it,
 * and where it does not, it breaks whichever module is imported first.
 *
 * Usage: `node --import tsx scripts/import-cycles.ts [folder]` — prints each cycle and
 * exits 1, or prints how many modules and imports it checked and exits 0.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every relative import and re-export in `source` (static, dynamic and type-only). */
export function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.[^'"]+)['"]|(?:^|[\s;(])import\s*(?:\(\s*)?['"](\.[^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2])!);
  return specifiers;
}

/** The `.ts` files under `folder`, recursively. */
function modulesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The import graph of `files`: each file to the files (of the set) it imports. */
export function importGraph(
  files: readonly string[],
  read = (file: string) => readFileSync(file, 'utf8'),
): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(read(file))
      .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles of `graph`: its strongly connected components of more than one module (or a self-import). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, next] = frame;
      if (next === 0) {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
      }
      const targets = graph.get(node) ?? [];
      if (next < targets.length) {
        frame[1]++;
        const target = targets[next]!;
        if (!index.has(target)) work.push([target, 0]);
        else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) !== index.get(node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || targets.includes(node)) cycles.push(component.sort());
    }
  }
  return cycles;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = resolve(process.argv[2] ?? 'src');
  const files = modulesUnder(folder);
  const graph = importGraph(files);
  const cycles = cyclesOf(graph);
  const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
  if (cycles.length === 0) {
    console.log(
      `import cycles: none among ${files.length} modules and ${edges} imports under ${relative(process.cwd(), folder) || '.'}`,
    );
  } else {
    for (const cycle of cycles) {
      console.error(
        `import cycle among ${cycle.length} modules:\n  ${cycle.map((file) => relative(process.cwd(), file)).join('\n  ')}`,
      );
    }
    console.error(
      `${cycles.length} import cycle(s): break each one (move the shared part into a module both can import)`,
    );
    process.exitCode = 1;
  }
}
