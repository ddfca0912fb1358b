/**
 * How many lines a file holds, counted by reading it once (for the progress bar's total,
 * alongside the run).
 * @module
 */
import { createReadStream } from 'node:fs';

/** The number of lines of the file at `path` (a last line without a newline counts). */
export async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return last === 10 ? lines : lines + 1;
}
