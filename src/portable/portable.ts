/**
 * Portable functions: work that can run in another thread or process is a module export,
 * found again there by importing its module. `portable(import.meta.url, fn)` marks it.
 * @module
 */
import { describe } from '../core/options.js';

/** Where a portable function lives: its module's URL and its export name. */
export interface PortableTarget {
  /** The module's URL (`import.meta.url` of the module that exports the function). */
  module: string;
  /** The name of the export. */
  name: string;
}

const MODULE: unique symbol = Symbol.for('weft.portable.module');

type Marked = { [MODULE]?: string };

/**
 * Marks `fn`, exported from the module at `moduleUrl`, as runnable elsewhere: executors,
 * `Thread` and `Process` find it again in the worker by importing that module. Returns
 * `fn` itself, with its type unchanged and still callable locally.
 *
 * The function must be exported under a name (`export const fib = portable(...)` or
 * `export function fib` marked later); a worker cannot reach closures or local functions.
 * TypeScript modules work when the program itself runs TypeScript (tsx, or Node's type
 * stripping): workers inherit the loader.
 *
 * @example
 * ```ts
 * // tasks.ts
 * import { portable } from 'weft';
 * export const fib = portable(import.meta.url, function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * });
 * // main.ts
 * const future = executor.submit(fib, 30);
 * ```
 */
export function portable<F extends (...args: never[]) => unknown>(moduleUrl: string, fn: F): F {
  if (typeof moduleUrl !== 'string' || !/^(file|data|https?|node):/.test(moduleUrl)) {
    throw new TypeError(
      `portable(moduleUrl, fn): moduleUrl must be the module's URL — pass import.meta.url — got ${describe(moduleUrl)}`,
    );
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`portable(moduleUrl, fn): fn must be a function, got ${describe(fn)}`);
  }
  Object.defineProperty(fn, MODULE, { value: moduleUrl, enumerable: false });
  return fn;
}

/** Whether `fn` was marked with `portable()`. */
export function isPortable(fn: unknown): boolean {
  return typeof fn === 'function' && typeof (fn as Marked)[MODULE] === 'string';
}

/** What a Thread, Process or executor accepts as the work to run. */
export type Target = ((...args: never[]) => unknown) | PortableTarget;

/**
 * Checks, at the call, that `target` can run elsewhere: a portable function or a
 * `{ module, name }`. Throws a TypeError that says how to fix it otherwise.
 */
export function checkTarget(target: unknown, where: string): void {
  if (typeof target === 'function') {
    if (isPortable(target)) return;
    const name = target.name || 'work';
    throw new TypeError(
      `${where}: ${describe(target)} cannot run in another thread or process, because a worker can only find ` +
        'functions that are exported from a module. Export it and mark it: ' +
        `\`export const ${name} = portable(import.meta.url, ...)\`, or pass { module: import.meta.url, name: '${name}' }.`,
    );
  }
  if (target !== null && typeof target === 'object') {
    const { module, name } = target as Partial<PortableTarget>;
    if (typeof module === 'string' && typeof name === 'string' && name !== '') return;
  }
  throw new TypeError(
    `${where}: the target must be a function marked with portable(import.meta.url, fn) or { module, name }, got ${describe(target)}`,
  );
}

const located = new WeakMap<(...args: never[]) => unknown, PortableTarget>();

/**
 * Where `target` lives: `{ module, name }`, finding a portable function's export name by
 * importing its module (already loaded, so this is quick) and looking for the function
 * among its exports. Rejects with a TypeError when the function is not exported there.
 */
export async function locate(target: Target, where: string): Promise<PortableTarget> {
  checkTarget(target, where);
  if (typeof target !== 'function') return { module: target.module, name: target.name };
  const known = located.get(target);
  if (known !== undefined) return known;
  const module = (target as Marked)[MODULE]!;
  const namespace = (await import(module)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(namespace)) {
    if (value === target) {
      const found = { module, name };
      located.set(target, found);
      return found;
    }
  }
  throw new TypeError(
    `${where}: ${describe(target)} is marked portable but is not exported from ${module}; ` +
      'a worker can only find exported functions. Add `export` to it (and check that the URL given to portable() is its own import.meta.url).',
  );
}
