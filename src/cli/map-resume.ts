/**
 * `weft map --resume`: what an earlier run already wrote to the output file. An ordered
 * output is a prefix of the input's results (line k of the output is the k-th non-blank
 * input line), so its complete lines are counted; an unordered output is `{"line":N,...}`
 * records, so the line numbers are collected. A last line without its newline (a run that
 * was killed mid-write) is cut off first, and that line is done again.
 * @module
 */
import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import type { SkipLine } from './line-input.js';
import { UsageError } from './usage-error.js';

/** Which input lines an earlier run did, read from `path` (none when it does not exist). */
export async function resumePoint(path: string, ordered: boolean): Promise<SkipLine | undefined> {
  if (!existsSync(path)) return undefined;
  const lines = cutPartialLine(path);
  if (lines === 0) return undefined;
  if (ordered) return (_line, index) => index < lines;
  const done = new Set<number>();
  let row = 0;
  for await (const text of createInterface({
    input: createReadStream(path),
    crlfDelay: Infinity,
  })) {
    row++;
    const line = recordLine(text);
    if (line === undefined) {
      throw new UsageError(
        'weft map',
        `--resume: line ${row} of ${path} is not a {"line":N,"result":...} record of --unordered`,
        'Resume with the options of the run that wrote the file (with or without --unordered).',
      );
    }
    done.add(line);
  }
  return (line) => done.has(line);
}

/** Cuts `path` after its last newline and returns how many lines it then holds. */
function cutPartialLine(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    let end = 0;
    const size = fstatSync(fd).size;
    for (let offset = 0; offset < size; ) {
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      if (read === 0) break;
      for (let at = buffer.indexOf(10); at !== -1 && at < read; at = buffer.indexOf(10, at + 1)) {
        lines++;
        end = offset + at + 1;
      }
      offset += read;
    }
    if (end < size) ftruncateSync(fd, end);
    return lines;
  } finally {
    closeSync(fd);
  }
}

function recordLine(text: string): number | undefined {
  try {
    const record = JSON.parse(text) as { line?: unknown };
    return Number.isSafeInteger(record?.line) ? (record.line as number) : undefined;
  } catch {
    return undefined;
  }
}
