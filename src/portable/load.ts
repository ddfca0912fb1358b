/**
 * The worker side of targets: import the module, take the export. Every thread and process
 * entry loads this module, so it imports nothing but the bootstrap (not `node:url`, which
 * naming a target on the parent's side needs: target-ref.ts).
 * @module
 */
import { importTargetModule } from './bootstrap.js';
import type { PortableTarget } from './portable.js';
import type { TargetRef } from './target-ref.js';

/**
 * Worker side: the function `ref` names. A `{ module, name }` is that export; a portable
 * function is the portable export with its source text (the one with its name, if several).
 * Rejects with a TypeError when the module has no such export.
 */
export async function loadTargetRef(ref: TargetRef): Promise<(...args: unknown[]) => unknown> {
  if (ref.source === undefined) return loadTarget(ref);
  // Loaded only now (the module of a portable function imports it anyway): a worker given
  // `{ module, name }` does without it and what it imports.
  const [namespace, { isPortable }] = await Promise.all([
    importTargetModule(ref.module),
    import('./portable.js'),
  ]);
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
  return loadTarget({ module: ref.module, name: match });
}

const modules = new Map<string, Promise<Record<string, unknown>>>();
/** The modules `loadTarget` has finished importing, for `loadedTargetRef`. */
const imported = new Map<string, Record<string, unknown>>();

/**
 * The portable function `ref` names, if its module was loaded here as a target's (or a
 * target's own module defines it); `undefined` if not yet. Synchronous: for what a thread
 * that blocks may have to run (a shared barrier's action in `waitSync`).
 */
export function loadedTargetRef(ref: TargetRef): ((...args: unknown[]) => unknown) | undefined {
  const namespace = imported.get(ref.module);
  if (namespace === undefined) return undefined;
  let match: ((...args: unknown[]) => unknown) | undefined;
  for (const [name, value] of Object.entries(namespace)) {
    if (typeof value !== 'function') continue;
    if (ref.source !== undefined && Function.prototype.toString.call(value) !== ref.source)
      continue;
    if (ref.source === undefined && name !== ref.name) continue;
    if (match === undefined || name === ref.name) match = value as (...args: unknown[]) => unknown;
  }
  return match;
}

/**
 * Worker side: the function `target` names, importing its module once per worker. Rejects
 * with a TypeError when the module has no such function export.
 */
export async function loadTarget(target: PortableTarget): Promise<(...args: unknown[]) => unknown> {
  let namespace = modules.get(target.module);
  if (namespace === undefined) {
    namespace = importTargetModule(target.module);
    modules.set(target.module, namespace);
    namespace.then(
      (loaded) => imported.set(target.module, loaded),
      () => modules.delete(target.module),
    );
  }
  const fn = (await namespace)[target.name];
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${target.module} has no function export named ${JSON.stringify(target.name)} (found ${typeof fn})`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}
