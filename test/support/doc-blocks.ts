// Reading the code blocks and links out of the Markdown documentation, for test/docs.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The languages whose blocks are type-checked, and the file extension each is checked as. */
export const CHECKED_LANGUAGES: Readonly<Record<string, 'ts' | 'js'>> = { ts: 'ts', js: 'js' };

/** One file of a code block: most blocks are one file; `// name.ts` lines start another. */
export interface BlockFile {
  /** The file name inside the block's directory (`main.ts` when the block names none). */
  readonly name: string;
  /** The line of the Markdown document where this file's first line is. */
  readonly firstLine: number;
  readonly text: string;
}

/** A fenced code block of a Markdown document. */
export interface CodeBlock {
  /** The document, relative to the repository (`README.md`, `docs/tasks.md`). */
  readonly doc: string;
  /** The line of the opening fence. */
  readonly line: number;
  readonly language: string;
  /** The reason given by a `<!-- not-checked: reason -->` comment just before the fence. */
  readonly notChecked: string | undefined;
  readonly files: readonly BlockFile[];
}

/** README.md and every Markdown file in docs/, relative to the repository root. */
export function documents(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

const FENCE = /^```(\S*)\s*$/;
const NOT_CHECKED = /^<!--\s*not-checked:\s*(.*?)\s*-->$/;
// A comment line naming a file splits a block into modules that import each other
// (`// tasks.ts` ... `// main.ts` ... `import { fib } from './tasks.js'`).
const FILE_MARKER = /^\/\/ ([\w-]+\.(?:ts|js))$/;

/** Every fenced code block of one document. */
export function codeBlocks(root: string, doc: string): CodeBlock[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`${doc}:${start + 1}: code block never closed`);
    const before = start > 0 ? NOT_CHECKED.exec(lines[start - 1]!.trim()) : null;
    const language = open[1] ?? '';
    blocks.push({
      doc,
      line: start + 1,
      language,
      notChecked: before?.[1],
      files: splitFiles(body, start + 2, CHECKED_LANGUAGES[language] ?? 'ts'),
    });
  }
  return blocks;
}

function splitFiles(body: string[], firstLine: number, extension: string): BlockFile[] {
  const files: { name: string; firstLine: number; lines: string[] }[] = [];
  body.forEach((line, index) => {
    // The marker stays in its file as a comment, so line numbers map one to one.
    const marker = FILE_MARKER.exec(line);
    if (marker !== null || files.length === 0) {
      const name = marker?.[1] ?? `main.${extension}`;
      files.push({ name, firstLine: firstLine + index, lines: [] });
    }
    files[files.length - 1]!.lines.push(line);
  });
  return files.map(({ name, firstLine: first, lines }) => ({
    name,
    firstLine: first,
    text: lines.join('\n'),
  }));
}

/** A relative link of a document: `[text](target)`, outside code blocks. */
export interface DocLink {
  readonly doc: string;
  readonly line: number;
  readonly target: string;
}

/** The relative links of one document (http(s) and mailto links are left out). */
export function relativeLinks(root: string, doc: string): DocLink[] {
  const links: DocLink[] = [];
  let inCode = false;
  readFileSync(join(root, doc), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (FENCE.test(line)) inCode = !inCode;
      if (inCode) return;
      for (const match of line.replaceAll(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (!/^(https?:|mailto:)/.test(target)) links.push({ doc, line: index + 1, target });
      }
    });
  return links;
}

/** The anchors GitHub gives a document's headings (`## Python → weft` → `python--weft`). */
export function headingAnchors(root: string, doc: string): Set<string> {
  const anchors = new Set<string>();
  let inCode = false;
  for (const line of readFileSync(join(root, doc), 'utf8').split('\n')) {
    if (FENCE.test(line)) inCode = !inCode;
    const heading = inCode ? null : /^#{1,6} (.*)$/.exec(line);
    if (heading === null) continue;
    const base = heading[1]!
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{N}\s_-]/gu, '')
      .replaceAll(' ', '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}
