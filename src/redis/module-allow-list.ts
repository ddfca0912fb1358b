/**
 * The modules a `RedisWorker` may load: each given as a path or a URL, resolved to the real
 * file URL (symlinks followed). A task's module is resolved the same way and must be one of
 * them; anything else is refused before it is loaded, with an error naming the module and
 * the list. Only the file system is consulted — a refused module is never imported.
 * @module
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe } from '../core/options.js';
import { ModuleNotAllowedError } from '../errors.js';

/** The real file URLs a worker may load. */
export class ModuleAllowList {
  /** The allowed modules, as real file URLs (or other URLs as given). */
  readonly modules: readonly string[];
  readonly #allowed: Set<string>;
  readonly #resolved = new Map<string, string | null>();

  /** `entries`: paths (relative to the working directory) or URLs. Throws for an entry that does not exist. */
  constructor(entries: unknown, where: string) {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new TypeError(
        `${where}: modules must be a non-empty array of the module paths or URLs whose portable exports the worker may run, got ${describe(entries)}`,
      );
    }
    const modules: string[] = [];
    for (const entry of entries) {
      if (typeof entry !== 'string' || entry === '') {
        throw new TypeError(
          `${where}: each entry of modules must be a path or a URL, got ${describe(entry)}`,
        );
      }
      const real = realURL(entry);
      if (real === null) {
        throw new TypeError(
          `${where}: the module ${JSON.stringify(entry)} does not exist (resolved against ${process.cwd()}); give the path of a module the worker may load`,
        );
      }
      modules.push(real);
    }
    this.modules = modules;
    this.#allowed = new Set(modules);
  }

  /**
   * The real URL of `module` when the list allows it; else throws a `ModuleNotAllowedError`
   * naming the module and the list (nothing was loaded).
   */
  check(module: string): string {
    let real = this.#resolved.get(module);
    if (real === undefined) {
      real = realURL(module);
      if (this.#resolved.size > 1_000) this.#resolved.clear();
      this.#resolved.set(module, real);
    }
    if (real !== null && this.#allowed.has(real)) return real;
    throw new ModuleNotAllowedError(
      `the task names the module ${module}, which this worker may not load; it runs only ` +
        `${this.modules.join(', ')} (start it with --module for each module, or list it in { modules })`,
    );
  }
}

/** `entry` (a path, a file URL, or another URL) as the URL of the real file, or `null` when there is none. */
function realURL(entry: string): string | null {
  let path: string;
  if (entry.startsWith('file:')) {
    try {
      path = fileURLToPath(entry);
    } catch {
      return null;
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(entry) && !isAbsolute(entry)) {
    return entry; // node:, data:, https: — compared as given
  } else path = resolve(entry);
  try {
    return pathToFileURL(realpathSync(path)).href;
  } catch {
    return null;
  }
}
