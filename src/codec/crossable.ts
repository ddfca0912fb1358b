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
  const problem = problemIn(value, to, undefined, '');
  if (problem !== undefined) {
    throw new TypeError(
      `${where}: ${label} (${describe(value)}) cannot cross into another thread or process: ${problem.message}`,
      { cause: problem.cause },
    );
  }
}

interface Problem {
  readonly message: string;
  readonly cause?: unknown;
}

/** What stops `value` from crossing, or `undefined` when nothing does. */
function problemIn(
  value: object,
  to: Destination,
  seen: Set<object> | undefined,
  path: string,
): Problem | undefined {
  if (Array.isArray(value)) {
    // The common case, an array of primitives, is checked without allocating.
    for (let i = 0; i < value.length; i++) {
      const problem = problemOfMember(value[i], to, value, seen, `${path}[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      const problem = problemOfMember(member, to, value, seen, `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [key, member] of value) {
      const problem =
        problemOfMember(key, to, value, seen, `${path} (a key)`) ??
        problemOfMember(member, to, value, seen, `${path}.get(${describe(key)})`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const member of value) {
      const problem = problemOfMember(member, to, value, seen, `${path} (a member)`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isPlainLeaf(value)) return undefined;
  try {
    // A process receives what V8 serialization carries; a thread what structured clone does.
    if (to === 'process') serialize(value);
    else structuredClone(value);
    return undefined;
  } catch (error) {
    const at = path === '' ? '' : ` (${describe(value)} at ${path})`;
    return { message: `${(error as Error).message}${at}`, cause: error };
  }
}

function problemOfMember(
  member: unknown,
  to: Destination,
  parent: object,
  seen: Set<object> | undefined,
  path: string,
): Problem | undefined {
  if (typeof member === 'function') {
    return { message: `it holds ${describe(member)} at ${path}, and code cannot cross` };
  }
  if (typeof member === 'symbol') {
    return { message: `it holds ${String(member)} at ${path}, and a Symbol cannot cross` };
  }
  if (member === null || typeof member !== 'object') return undefined;
  const visited = seen ?? new Set<object>([parent]);
  if (visited.has(member)) return undefined;
  visited.add(member);
  return problemIn(member, to, visited, path);
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
