/**
 * The function `weft map` calls, from its `MODULE#EXPORT` argument: MODULE is a path
 * (relative to the working directory) or a URL (`file:`, `data:`, ...), EXPORT the name of
 * a function it exports (`default` when `#EXPORT` is left out). Threads and processes find
 * the function again by importing its module, so there it must be marked `portable()`.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPortable } from '../portable/portable.js';
import { UsageError } from './usage-error.js';

/** The function to call, where it was found, and whether other threads and processes can find it. */
export interface MapTarget {
  readonly module: string;
  readonly name: string;
  readonly fn: (...args: never[]) => unknown;
  readonly portable: boolean;
}

const COMMAND = 'weft map';
const MARK_HINT = (name: string) =>
  `Mark it in its module: \`export const ${name} = portable(import.meta.url, (value) => ...)\` ` +
  "(import { portable } from 'weft'), or run it with --mode tasks.";

/**
 * Imports the module `spec` names and takes its export; a `UsageError` when the module
 * cannot be loaded, has no such function, or (`needPortable`) the function is not portable.
 */
export async function loadMapTarget(spec: string, needPortable: boolean): Promise<MapTarget> {
  const hash = spec.lastIndexOf('#');
  const where = hash < 0 ? spec : spec.slice(0, hash);
  const name = hash < 0 ? 'default' : spec.slice(hash + 1);
  if (where === '' || name === '') {
    throw new UsageError(
      COMMAND,
      `'${spec}' does not name a module and an export`,
      'Write MODULE#EXPORT, e.g. ./work.mjs#square (a path or a URL, then the export name).',
    );
  }
  // A scheme of two letters or more is a URL; anything else (C:\ too) is a path.
  const module = /^[a-z][a-z0-9+.-]+:/i.test(where) ? where : pathToFileURL(resolve(where)).href;
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(module)) as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(
      COMMAND,
      `cannot load module ${where}: ${why}`,
      'Give the path (or URL) of a JavaScript module that exports the function.',
    );
  }
  const fn = namespace[name];
  if (typeof fn !== 'function') {
    const functions = Object.keys(namespace).filter((key) => typeof namespace[key] === 'function');
    const found =
      functions.length > 0 ? `Its functions: ${functions.join(', ')}.` : 'It exports no function.';
    throw new UsageError(
      COMMAND,
      `${where} has no function export named '${name}' (found ${describeValue(fn)})`,
      `${found} Write MODULE#EXPORT with one of them.`,
    );
  }
  const marked = isPortable(fn);
  if (needPortable && !marked) {
    throw new UsageError(
      COMMAND,
      `${where}#${name} is not portable, so threads and processes cannot find it`,
      MARK_HINT(name),
    );
  }
  return { module, name, fn: fn as (...args: never[]) => unknown, portable: marked };
}

function describeValue(value: unknown): string {
  return value === undefined ? 'no such export' : `a ${value === null ? 'null' : typeof value}`;
}
