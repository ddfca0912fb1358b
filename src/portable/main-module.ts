/**
 * `isMainModule(import.meta)` — Python's `if __name__ == '__main__':` for modules that
 * define portable functions and also run a program: true only where the module is the
 * program being run, not where a thread or a child process imports it to find a function.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/**
 * Whether the module whose `import.meta` is given is the program's entry, run in the main
 * thread of the process started for it — false when a worker thread, a weft child process
 * or a pool worker imports it to find a portable function.
 *
 * @example
 * ```ts
 * export const square = portable(import.meta.url, (n: number) => n * n);
 * if (isMainModule(import.meta)) {
 *   const child = new Process(square, { args: [7] });
 *   child.start();
 * }
 * ```
 */
export function isMainModule(meta: ImportMeta): boolean {
  const entry = process.argv[1];
  if (!isMainThread || entry === undefined || !meta.url.startsWith('file:')) return false;
  return samePath(fileURLToPath(meta.url), entry);
}

function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
