/**
 * Naming a target to a worker without importing its module first (the worker finds it
 * with load.ts).
 *
 * `locate()` finds a function's export name by importing its module — which never settles
 * while that module is still evaluating: a program's entry module that defines portable
 * functions and then awaits a thread or a future at top level waits for itself. So the
 * reference to a portable function is made at once, from what the function itself knows —
 * its module, its name and its source text — and the worker, which imports the module
 * anyway, picks the export that matches.
 * @module
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PortableTarget, Target } from './portable.js';

/** A target as it travels to a worker: `{ module, name }`, plus the source of a function. */
export interface TargetRef extends PortableTarget {
  /** For a portable function: its source text, to recognise its export by. */
  readonly source?: string;
}

const MODULE = Symbol.for('weft.portable.module');

/** The reference to send for `target` (already checked with `checkTarget`). */
export function targetRef(target: Target): TargetRef {
  if (typeof target !== 'function')
    return { module: anchorModule(target.module), name: target.name };
  const module = (target as unknown as Record<symbol, string>)[MODULE]!;
  return { module, name: target.name, source: Function.prototype.toString.call(target) };
}

/** weft's own folder (its `dist/` or `src/`), whose frames are not the caller's. */
const OWN_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `module` as a URL a worker can import wherever it runs: a relative path (`./tasks.js`) is
 * resolved against the file of the code that gave it — the first caller outside weft, as
 * `import` would — and an absolute path becomes a file URL. URLs and package names stay.
 */
export function anchorModule(module: string): string {
  if (module.startsWith('./') || module.startsWith('../')) {
    return new URL(module, callerURL()).href;
  }
  if (isAbsolute(module)) return pathToFileURL(module).href;
  return module;
}

/** The file URL of the first stack frame outside weft (the working directory when none is found). */
function callerURL(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const found = /\(?((?:file:\/\/)?\/[^()\s]*?):\d+:\d+\)?\s*$/.exec(line);
    if (found === null) continue;
    const url = found[1]!.startsWith('file:') ? found[1]! : pathToFileURL(found[1]!).href;
    if (!fileURLToPath(url).startsWith(OWN_ROOT)) return url;
  }
  return pathToFileURL(`${process.cwd()}/`).href;
}
