/**
 * The check every value crossing into another thread or process passes at the call: a
 * value that cannot cross fails there with a TypeError naming it, never later.
 *
 * The check walks the value rather than cloning it: the transport clones (or serializes)
 * it anyway, so a second full copy only to validate would double the cost of every call.
 * Data made of what structured clone and V8 serialization both carry as they are — plain
 * objects, arrays, Maps, Sets, dates, buffers, primitives — is checked by the walk alone;
 * anything else (a class instance, a host object) is tried by the real clone, that value
 * only.
 * @module
 */
import { serialize } from 'node:v8';
import { describe } from '../core/options.js';
import type { Destination } from './descriptor.js';

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
  const problem = new Walk(to).problemIn(value);
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
      else structuredClone(value);
      return undefined;
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
