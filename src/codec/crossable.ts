/**
 * The check every value crossing into another thread or process passes at the call: a
 * value that cannot cross fails there with a TypeError naming it, never later.
 *
 * The check walks the value rather than cloning it: the transport clones (or serializes)
 * it anyway, so a second full copy only to validate would double the cost of every call.
 * Data made of what structured clone and V8 serialization both carry as they are — plain
 * objects, arrays, Maps, Sets, dates, buffers, primitives — is checked by the walk alone;
 * anything else (a class instance, a host object) is tried by the real clone, that value
 * only. An instance of a class with methods or `#private` members would arrive as a plain
 * object without them, so it is refused, saying how to mark the class portable (then the
 * codec sends it as an instance of its class, and this check sees its encoded state).
 * @module
 */
import { serialize } from 'node:v8';
import { describe } from '../core/options.js';
import { type AnyClass, classWithPrivates, methodsFrom } from '../portable/class-shape.js';
import { isPortableClass } from '../portable/portable-class.js';
import { type Destination, isInstanceDescriptor, isTree } from './descriptor.js';

/**
 * Throws a TypeError when `value` cannot cross to `to`: `where` names the call, `label`
 * the value (`argument 0`, `result`).
 */
export function checkCrossable(
  value: unknown,
  where: string,
  label: string,
  to: Destination,
): void {
  if (typeof value === 'function') {
    throw new TypeError(
      `${where}: ${label} is ${describe(value)}, which cannot cross into another thread or process; ` +
        'pass data, or a portable function by its { module, name }',
    );
  }
  if (typeof value === 'symbol') {
    throw new TypeError(
      `${where}: ${label} is ${String(value)}, which cannot cross into another thread or process; pass data`,
    );
  }
  if (value === null || typeof value !== 'object') return;
  const problem = new Walk(to).problemIn(isTree(value) ? (value.value as object) : value);
  if (problem !== undefined) {
    throw new TypeError(
      `${where}: ${label} (${describe(value)}) cannot cross into another thread or process: ${problem.say(problem.path)}`,
      { cause: problem.cause },
    );
  }
}

interface Problem {
  /** What is wrong, given where it sits under the value checked (`.a[1].fn`, or `''`). */
  readonly say: (path: string) => string;
  readonly cause?: unknown;
  /** Where it sits: built on the way out, only once a problem is found. */
  path: string;
}

/** One check of one value: the containers already walked, made only if a container holds another. */
class Walk {
  private seen: Set<object> | undefined = undefined;

  constructor(private readonly to: Destination) {}

  /** What stops `value` from crossing, or `undefined` when nothing does. */
  problemIn(value: object): Problem | undefined {
    if (Array.isArray(value)) {
      // The common case, an array of primitives, is checked without allocating.
      for (let i = 0; i < value.length; i++) {
        const problem = this.problemOf(value[i], value);
        if (problem !== undefined) return at(problem, `[${i}]`);
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      if (isInstanceDescriptor(value)) {
        // An instance of a portable class, encoded: its state stands where its fields were.
        const state = value.state;
        return state !== null && typeof state === 'object'
          ? this.problemIn(state)
          : this.problemOf(state, value);
      }
      for (const key of Object.keys(value)) {
        const problem = this.problemOf((value as Record<string, unknown>)[key], value);
        if (problem !== undefined) return at(problem, `.${key}`);
      }
      return undefined;
    }
    if (value instanceof Map) {
      for (const [key, member] of value) {
        const inKey = this.problemOf(key, value);
        if (inKey !== undefined) return at(inKey, ' (a key)');
        const inValue = this.problemOf(member, value);
        if (inValue !== undefined) return at(inValue, `.get(${describe(key)})`);
      }
      return undefined;
    }
    if (value instanceof Set) {
      for (const member of value) {
        const problem = this.problemOf(member, value);
        if (problem !== undefined) return at(problem, ' (a member)');
      }
      return undefined;
    }
    if (isPlainLeaf(value)) return undefined;
    try {
      // A process receives what V8 serialization carries; a thread what structured clone does.
      if (this.to === 'process') serialize(value);
      else if (Object.getPrototypeOf(structuredClone(value)) === proto) return undefined; // a host object
      return value instanceof Error ? undefined : classProblemOf(value, proto);
    } catch (error) {
      const message = (error as Error).message;
      return {
        say: (path) => (path === '' ? message : `${message} (${describe(value)} at ${path})`),
        cause: error,
        path: '',
      };
    }
  }

  private problemOf(member: unknown, parent: object): Problem | undefined {
    if (typeof member === 'function') {
      return {
        say: (path) => `it holds ${describe(member)} at ${path}, and code cannot cross`,
        path: '',
      };
    }
    if (typeof member === 'symbol') {
      return {
        say: (path) => `it holds ${String(member)} at ${path}, and a Symbol cannot cross`,
        path: '',
      };
    }
    if (member === null || typeof member !== 'object') return undefined;
    const seen = (this.seen ??= new Set<object>([parent]));
    if (seen.has(member)) return undefined;
    seen.add(member);
    return this.problemIn(member);
  }
}

/** `problem` one level further out: `segment` goes before the path found so far. */
function at(problem: Problem, segment: string): Problem {
  problem.path = segment + problem.path;
  return problem;
}

/** Values both structured clone and V8 serialization carry as they are, holding nothing else. */
function isPlainLeaf(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) ||
    value instanceof Boolean ||
    value instanceof Number ||
    value instanceof String
  );
}

/**
 * Whether `value`, an instance of some class, crosses as the plain object structured clone
 * makes of it without losing anything: its class has neither methods nor private members.
 */
export function isDataClassInstance(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object;
  if (methodsFrom(proto).length > 0) return false;
  const ctor = Object.hasOwn(proto, 'constructor')
    ? (proto as { constructor: unknown }).constructor
    : undefined;
  return typeof ctor !== 'function' || classWithPrivates(ctor as AnyClass) === undefined;
}

/** Why `value`, an instance of an unmarked class, cannot cross as plain data, if it cannot. */
function classProblemOf(value: object, proto: object): Problem | undefined {
  const ctor = Object.hasOwn(proto, 'constructor')
    ? (proto as { constructor: unknown }).constructor
    : undefined;
  const cls = typeof ctor === 'function' ? (ctor as AnyClass) : undefined;
  const name = cls?.name || describe(value);
  const privates = cls === undefined ? undefined : classWithPrivates(cls);
  const methods = methodsFrom(proto);
  if (privates === undefined && methods.length === 0) return undefined;
  const base: unknown = cls === undefined ? undefined : Object.getPrototypeOf(cls);
  const what =
    privates !== undefined
      ? `${privates === cls ? 'it has' : `it extends ${privates.name}, which has`} #private members, which cannot be read to send`
      : `its methods (${methods.slice(0, 3).join(', ')}${methods.length > 3 ? ', ...' : ''}) would not cross, only its fields`;
  const mark =
    `mark the class portable: \`portable(import.meta.url, class ${name} { … })\` in the module that exports it` +
    (isPortableClass(base)
      ? ` (its superclass ${base.name} is marked, but each class must be)`
      : '') +
    (privates !== undefined
      ? ', with `[portableState]()` and `static [fromPortable](state)`'
      : '') +
    `, so it arrives as a ${name}`;
  return {
    say: (path) =>
      `${path === '' ? 'it' : `${describe(value)} at ${path}`} is an instance of class ${name}: ${what}; ${mark}`,
    path: '',
  };
}
