/**
 * Portable functions: work that can run in another thread or process is a module export,
 * found again there by importing its module. `portable(import.meta.url, fn)` marks it.
 * @module
 */
import { describe } from '../core/options.js';
import { isClassSyntax } from './class-shape.js';
import { type AnyClass, markClass } from './portable-class.js';

/** Where a portable function lives: its module's URL and its export name. */
export interface PortableTarget {
  /** The module's URL (`import.meta.url` of the module that exports the function). */
  module: string;
  /** The name of the export. */
  name: string;
}

/** The key under which `portable()` stores a function's module URL; it brands the type too. */
const MODULE: unique symbol = Symbol.for('weft.portable.module');

type Marked = { [MODULE]?: string };

/** Any function, as the constraint of what may be marked portable. */
export type AnyFunction = (...args: never[]) => unknown;

/**
 * A function marked with `portable()`: `F` itself, still callable here and assignable
 * wherever `F` is expected, plus the mark that `Thread`, `Process`, the executors and the
 * pools require — so an unmarked function is refused by the compiler, not only at run time.
 * The mark is real: the function carries its module's URL under this symbol.
 *
 * @example
 * ```ts
 * type Square = (n: number) => number;
 * export const square: Portable<Square> = portable(import.meta.url, (n: number) => n * n);
 * new ThreadPoolExecutor().submit(square, 7); // compiles: a Future<number>
 * new ThreadPoolExecutor().submit((n: number) => n * n, 7); // error: not Portable
 * ```
 */
export type Portable<F extends AnyFunction = AnyFunction> = F & { readonly [MODULE]: string };

/**
 * Marks `fn`, exported from the module at `moduleUrl`, as runnable elsewhere: executors,
 * `Thread` and `Process` find it again in the worker by importing that module. Returns
 * `fn` itself, typed `Portable<F>`: still callable locally as `F`, and accepted where a
 * portable target is required (an unmarked function is not, already at compile time).
 *
 * The function must be exported under a name (`export const fib = portable(...)`, or an
 * `export function fib` marked later — then pass on the value `portable()` returned, the
 * declaration's own type has no mark); a worker cannot reach closures or local functions.
 * TypeScript modules work when the program itself runs TypeScript (tsx, or Node's type
 * stripping): workers inherit the loader.
 *
 * Given a class instead, marks its instances to cross as data and be rebuilt as instances
 * of the same class on the other side, which finds the class by importing `moduleUrl` and
 * taking the export of that class name (see docs/threads.md, Portable classes). Returns the class
 * itself, its type unchanged. A class with `#private` members, or one extending a built-in
 * such as `Map`, must say how it is rebuilt (`static [fromPortable](state)`).
 *
 * @example
 * ```ts
 * // tasks.ts
 * import { portable } from 'weft';
 * export const fib = portable(import.meta.url, function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * });
 * export class Point {
 *   constructor(readonly x: number, readonly y: number) {}
 *   norm(): number {
 *     return Math.hypot(this.x, this.y);
 *   }
 * }
 * portable(import.meta.url, Point);
 * // main.ts
 * const future = executor.submit(fib, 30);
 * ```
 */
export function portable<C extends AnyClass>(moduleUrl: string, cls: C): C;
export function portable<F extends AnyFunction>(moduleUrl: string, fn: F): Portable<F>;
export function portable(moduleUrl: string, fn: AnyClass | AnyFunction): unknown {
  if (typeof moduleUrl !== 'string' || !/^(file|data|https?|node):/.test(moduleUrl)) {
    throw new TypeError(
      `portable(moduleUrl, fn): moduleUrl must be the module's URL — pass import.meta.url — got ${describe(moduleUrl)}`,
    );
  }
  if (typeof fn !== 'function') {
    throw new TypeError(
      `portable(moduleUrl, fn): fn must be a function or a class, got ${describe(fn)}`,
    );
  }
  if (isClassSyntax(fn)) markClass(moduleUrl, fn);
  else Object.defineProperty(fn, MODULE, { value: moduleUrl, enumerable: false });
  return fn;
}

/** Whether `fn` was marked with `portable()`. */
export function isPortable(fn: unknown): fn is Portable {
  return typeof fn === 'function' && typeof (fn as Marked)[MODULE] === 'string';
}

/**
 * What a Thread, Process, executor or pool accepts as the work to run: a function marked
 * with `portable()`, or `{ module, name }`.
 */
export type Target = Portable | PortableTarget;

/**
 * Checks, at the call, that `target` can run elsewhere: a portable function or a
 * `{ module, name }`. Throws a TypeError that says how to fix it otherwise.
 */
export function checkTarget(target: unknown, where: string): void {
  if (typeof target === 'function') {
    if (isPortable(target)) return;
    if (isClassSyntax(target)) {
      throw new TypeError(
        `${where}: class ${target.name || '(anonymous)'} is not work to run; pass a portable function that uses it (portable classes cross as arguments and results)`,
      );
    }
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

const located = new WeakMap<AnyFunction, PortableTarget>();

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
  const module = target[MODULE];
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
