/**
 * Waiting until received values can be decoded: an instance of a portable class is rebuilt
 * with its class, which the receiving thread may not have loaded yet. Each tree names the
 * classes inside it (and an encoded error its own), so this looks at the top of each value
 * only, and costs nothing for values without instances.
 * @module
 */
import { type ClassRef, findClass, loadClass } from '../portable/portable-class.js';
import { isTree } from './descriptor.js';
import type { EncodedError } from './error-codec.js';

/**
 * Resolves once `values` (as they arrived: arguments, results, errors) can be decoded —
 * every portable class their instances name is loaded in this thread — or rejects with the
 * TypeError of a class that cannot be found. `undefined` (nothing to wait for) in the
 * common case, so decoding stays synchronous.
 */
export function whenDecodable(
  values: readonly unknown[],
  start = 0,
  end = values.length,
): Promise<void> | undefined {
  let pending: Promise<unknown>[] | undefined;
  let need: ((ref: ClassRef | undefined) => void) | undefined;
  for (let i = start; i < end; i++) {
    const value = values[i];
    if (value === null || typeof value !== 'object') continue; // most values: nothing to load
    need ??= (ref) => {
      if (ref !== undefined && findClass(ref) === undefined) (pending ??= []).push(loadClass(ref));
    };
    classesNamedBy(value, need, 0);
  }
  return pending === undefined ? undefined : Promise.all(pending).then(ignore);
}

/** `whenDecodable` for one value. */
export function whenValueDecodable(value: unknown): Promise<void> | undefined {
  return value === null || typeof value !== 'object' ? undefined : whenDecodable([value]);
}

/** Calls `need` with each class `value` (a tree or an encoded error, as it arrived) names. */
function classesNamedBy(
  value: unknown,
  need: (ref: ClassRef | undefined) => void,
  depth: number,
): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if (isTree(value)) {
    value.classes?.forEach(need);
    return;
  }
  const error = value as Partial<EncodedError>;
  if (error.$weftError !== true) return;
  need(error.class);
  classesNamedBy(error.cause, need, depth + 1);
  if (Array.isArray(error.errors))
    for (const member of error.errors) classesNamedBy(member, need, depth + 1);
}

function ignore(): void {}
