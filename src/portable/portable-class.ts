/**
 * Portable classes: a class marked with `portable(import.meta.url, class Point { ... })`
 * has instances that cross into another thread or process as data — the class's module
 * URL and name, and the instance's state — and are rebuilt there as instances of the same
 * class, found again by importing its module (pickle by reference, without running code
 * named in the data: only a class the receiver's module exports can be built).
 *
 * The receiver finds a class it has loaded already at once (every `portable()` call records
 * its class here, for the whole thread, whichever copy of weft made it), so decoding stays
 * synchronous; otherwise it imports the module first (`loadClass`).
 * @module
 */
import { describe } from '../core/options.js';
import { importTargetModule } from './bootstrap.js';
import { type AnyClass, builtInBaseOf, classWithPrivates, isErrorClass } from './class-shape.js';

export type { AnyClass };

/**
 * The method that gives the state an instance of a portable class crosses as (default: its
 * own enumerable fields). Define it to send what `#private` fields hold.
 *
 * @example
 * ```ts
 * export class Counter {
 *   #count = 0;
 *   increment(): number {
 *     return ++this.#count;
 *   }
 *   [portableState](): number {
 *     return this.#count;
 *   }
 *   static [fromPortable](count: number): Counter {
 *     const counter = new Counter();
 *     counter.#count = count;
 *     return counter;
 *   }
 * }
 * portable(import.meta.url, Counter);
 * ```
 */
export const portableState: unique symbol = Symbol.for('weft.portable.state');

/**
 * The static method that rebuilds an instance of a portable class from the state it crossed
 * as (default: a new object with the class's prototype and that state's fields, no
 * constructor run, as pickle does). Required of a class with `#private` members; see
 * {@link portableState} for an example.
 */
export const fromPortable: unique symbol = Symbol.for('weft.portable.fromState');

/** The key under which `portable()` stores a class's module URL (own property of the class). */
const CLASS_MODULE = Symbol.for('weft.portable.class');

/** Classes marked in this thread: module URL → class name → the classes of that name. */
const REGISTRY = Symbol.for('weft.portable.classes');
const marked: Map<string, Map<string, AnyClass[]>> = ((
  globalThis as { [REGISTRY]?: Map<string, Map<string, AnyClass[]>> }
)[REGISTRY] ??= new Map());

/** How a portable class is named in crossing data: its module's URL and its name. */
export type ClassRef = readonly [module: string, name: string];

type Hooked = AnyClass & { [fromPortable]?: (state: unknown) => unknown };

/** Marks `cls`, exported from the module at `moduleUrl`, portable (see `portable()`). */
export function markClass(moduleUrl: string, cls: AnyClass): void {
  const name = cls.name;
  if (name === '') {
    throw new TypeError(
      'portable(moduleUrl, class): the class needs a name, which the receiver finds it by — `class Point { ... }`, not `class { ... }`',
    );
  }
  const hooked = typeof (cls as Hooked)[fromPortable] === 'function';
  const privates = classWithPrivates(cls);
  if (privates !== undefined && !hooked) {
    throw new TypeError(
      `portable(moduleUrl, class ${name}): ${privates === cls ? 'it has' : `it extends ${privates.name}, which has`} #private members, ` +
        'which cannot be read to send nor set without running the constructor. Give the class ' +
        '`[portableState]()` returning what to send and `static [fromPortable](state)` building the instance from it (both symbols from weft).',
    );
  }
  const builtIn = builtInBaseOf(cls);
  if (builtIn !== undefined && !hooked) {
    throw new TypeError(
      `portable(moduleUrl, class ${name}): it extends the built-in ${builtIn.name}, whose contents an instance made without its constructor lacks. ` +
        'Give the class `static [fromPortable](state)` (and `[portableState]()`), or hold the ' +
        `${builtIn.name} in a field instead of extending it.`,
    );
  }
  if (Object.hasOwn(cls, CLASS_MODULE)) return;
  Object.defineProperty(cls, CLASS_MODULE, { value: moduleUrl, enumerable: false });
  let byName = marked.get(moduleUrl);
  if (byName === undefined) marked.set(moduleUrl, (byName = new Map()));
  const same = byName.get(name);
  if (same === undefined) byName.set(name, [cls]);
  else same.push(cls);
}

/**
 * The portable class `value` is a direct instance of, or `undefined` (a plain object, an
 * instance of an unmarked class — a subclass of a portable class included).
 */
export function portableClassOf(value: object): AnyClass | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return undefined;
  const ctor = Object.hasOwn(proto as object, 'constructor')
    ? (proto as { constructor: unknown }).constructor
    : undefined;
  return isPortableClass(ctor) ? ctor : undefined;
}

/** Whether `value` is a class marked with `portable()` itself (not only through a superclass). */
export function isPortableClass(value: unknown): value is AnyClass {
  return typeof value === 'function' && Object.hasOwn(value, CLASS_MODULE);
}

/** The name `cls` (a portable class) crosses under. */
export function classRefOf(cls: AnyClass): ClassRef {
  return [(cls as unknown as Record<symbol, string>)[CLASS_MODULE]!, cls.name];
}

/** What `instance` (of a portable class) crosses as, before the codec encodes it further. */
export function stateOf(instance: object): unknown {
  const give = (instance as { [portableState]?: () => unknown })[portableState];
  if (typeof give === 'function') return give.call(instance);
  if (instance instanceof Error) {
    // message and stack are own but not enumerable; name comes with the class.
    const state: Record<string, unknown> = { message: instance.message, stack: instance.stack };
    if ('cause' in instance) state.cause = instance.cause;
    return Object.assign(state, instance);
  }
  return { ...instance };
}

/**
 * A blank instance of `cls` to fill with `fillInstance` — an object with its prototype, made
 * without running its constructor, as pickle does (for an error class, one with an error's
 * inside, so stacks print and `Error.isError` holds) — or `undefined` for a class that
 * rebuilds its instances itself (`fromPortable`).
 */
export function blankInstance(cls: AnyClass): object | undefined {
  if (typeof (cls as Hooked)[fromPortable] === 'function') return undefined;
  if (isErrorClass(cls)) return Reflect.construct(Error, [], cls) as Error;
  return Object.create(cls.prototype as object) as object;
}

/** Gives a blank instance the state it crossed as (what `stateOf` gave, decoded). */
export function fillInstance(instance: object, state: unknown): void {
  if (!(instance instanceof Error)) {
    Object.assign(instance, state);
    return;
  }
  const { message, stack, cause, ...fields } = state as Record<string, unknown>;
  const own = { writable: true, configurable: true } as const;
  if (typeof message === 'string')
    Object.defineProperty(instance, 'message', { ...own, value: message });
  Object.defineProperty(instance, 'stack', { ...own, value: stack });
  if ('cause' in (state as object))
    Object.defineProperty(instance, 'cause', { ...own, value: cause });
  Object.assign(instance, fields);
}

/** An instance of `cls` (a class with `fromPortable`) built by the class from `state`. */
export function buildInstance(cls: AnyClass, state: unknown): object {
  return (cls as unknown as Required<Hooked>)[fromPortable].call(cls, state) as object;
}

/**
 * The portable class a thrown `error` comes back as, and the state its `[portableState]()`
 * gives, if it has one; `undefined` for an error of an unmarked class.
 */
export function errorClassOf(error: Error): { class: ClassRef; state?: unknown } | undefined {
  const cls = portableClassOf(error);
  if (cls === undefined) return undefined;
  const give = (error as { [portableState]?: () => unknown })[portableState];
  return typeof give === 'function'
    ? { class: classRefOf(cls), state: give.call(error) }
    : { class: classRefOf(cls) };
}

/**
 * A thrown error of portable class `cls` as it arrived: built by the class from `own` (the
 * state it gave) when it rebuilds itself, else a blank one filled with `state` (message,
 * stack, cause, fields).
 */
export function rebuildError(
  cls: AnyClass,
  state: Record<string, unknown>,
  own: { state: unknown } | undefined,
): object {
  const blank = blankInstance(cls);
  if (blank === undefined && own !== undefined) return buildInstance(cls, own.state);
  const error = blank ?? (Reflect.construct(Error, [], cls) as object);
  fillInstance(error, state);
  return error;
}

const loaded = new Map<string, AnyClass>();
const loading = new Map<string, Promise<AnyClass>>();
const keyOf = ([module, name]: ClassRef): string => `${name}\u0000${module}`;

/**
 * The class `ref` names if this thread has it already (its module marked it, or `loadClass`
 * found it), else `undefined`.
 */
export function findClass(ref: ClassRef): AnyClass | undefined {
  const key = keyOf(ref);
  const known = loaded.get(key);
  if (known !== undefined) return known;
  const same = marked.get(ref[0])?.get(ref[1]);
  if (same === undefined || same.length !== 1) return undefined;
  loaded.set(key, same[0]!);
  return same[0];
}

/**
 * The class `ref` names, importing its module (once per thread) and taking the export that
 * is a portable class of that name (the export of that name first). Rejects with a
 * TypeError naming the module and the class when there is none.
 */
export function loadClass(ref: ClassRef): Promise<AnyClass> {
  const known = findClass(ref);
  if (known !== undefined) return Promise.resolve(known);
  const key = keyOf(ref);
  let pending = loading.get(key);
  if (pending === undefined) {
    pending = lookUp(ref).finally(() => loading.delete(key));
    loading.set(key, pending);
  }
  return pending;
}

async function lookUp(ref: ClassRef): Promise<AnyClass> {
  const [module, name] = ref;
  let namespace: Record<string, unknown>;
  try {
    namespace = await importTargetModule(module);
  } catch (error) {
    throw new TypeError(
      `an instance of class ${name} arrived, but its module ${module} could not be imported here to find the class: ${(error as Error)?.message ?? describe(error)}`,
      { cause: error },
    );
  }
  const isIt = (value: unknown): value is AnyClass => isPortableClass(value) && value.name === name;
  // The export of that name first, then any export of that class name; then a class the
  // module marked without exporting it (found as when the module was loaded already).
  const found =
    (isIt(namespace[name]) ? namespace[name] : Object.values(namespace).find(isIt)) ??
    findClass(ref);
  if (found === undefined) {
    throw new TypeError(
      `an instance of class ${name} arrived, but ${module} exports no class named ${name} marked with portable(); ` +
        `export it from that module: \`export class ${name} { ... }\` then \`portable(import.meta.url, ${name})\``,
    );
  }
  loaded.set(keyOf(ref), found);
  return found;
}
