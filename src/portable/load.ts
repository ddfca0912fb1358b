/**
 * The worker side of portable functions: import the module, take the export.
 * @module
 */
import { importTargetModule } from './bootstrap.js';
import type { PortableTarget } from './portable.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * The function `target` names, importing its module once per worker. Rejects with a
 * TypeError when the module has no such function export.
 */
export async function loadTarget(target: PortableTarget): Promise<(...args: unknown[]) => unknown> {
  let namespace = modules.get(target.module);
  if (namespace === undefined) {
    namespace = importTargetModule(target.module);
    modules.set(target.module, namespace);
    namespace.catch(() => modules.delete(target.module));
  }
  const fn = (await namespace)[target.name];
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${target.module} has no function export named ${JSON.stringify(target.name)} (found ${typeof fn})`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}
