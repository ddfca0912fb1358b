/**
 * Naming a portable function to a worker without importing its module first.
 *
 * `locate()` finds a function's export name by importing its module — which never settles
 * while that module is still evaluating: a program's entry module that defines portable
 * functions and then awaits a thread or a future at top level waits for itself. So the
 * reference to a portable function is made at once, from what the function itself knows —
 * its module, its name and its source text — and the worker, which imports the module
 * anyway, picks the export that matches.
 * @module
 */
import { importTargetModule } from './bootstrap.js';
import { isPortable, type PortableTarget, type Target } from './portable.js';

/** A target as it travels to a worker: `{ module, name }`, plus the source of a function. */
export interface TargetRef extends PortableTarget {
  /** For a portable function: its source text, to recognise its export by. */
  readonly source?: string;
}

const MODULE = Symbol.for('weft.portable.module');

/** The reference to send for `target` (already checked with `checkTarget`). */
export function targetRef(target: Target): TargetRef {
  if (typeof target !== 'function') return { module: target.module, name: target.name };
  const module = (target as unknown as Record<symbol, string>)[MODULE]!;
  return { module, name: target.name, source: Function.prototype.toString.call(target) };
}

/**
 * Worker side: the function `ref` names. A `{ module, name }` is that export; a portable
 * function is the portable export with its source text (the one with its name, if several).
 * Rejects with a TypeError when the module has no such export.
 */
export async function loadTargetRef(
  ref: TargetRef,
  load: (target: PortableTarget) => Promise<(...args: unknown[]) => unknown>,
): Promise<(...args: unknown[]) => unknown> {
  if (ref.source === undefined) return load(ref);
  const namespace = await importTargetModule(ref.module);
  let match: string | undefined;
  for (const [name, value] of Object.entries(namespace)) {
    if (!isPortable(value) || Function.prototype.toString.call(value) !== ref.source) continue;
    if (match === undefined || name === ref.name) match = name;
  }
  if (match === undefined) {
    throw new TypeError(
      `function ${ref.name || '(anonymous)'} is marked portable but is not exported from ${ref.module}; ` +
        'a worker can only find exported functions. Add `export` to it (and check that the URL given to portable() is its own import.meta.url).',
    );
  }
  return load({ module: ref.module, name: match });
}
