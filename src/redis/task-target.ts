/**
 * How a Redis task names its function: the module's URL, the function's name, and a short
 * hash of its source — never code. The submitter cannot always know the export name without
 * importing the module (which never settles for a program's entry module that awaits at its
 * top level), so, as the other executors do, the worker picks the export: the one of that
 * name if it is the portable function with that source, else the portable export whose
 * source has that hash.
 * @module
 */
import { createHash } from 'node:crypto';
import { checkTarget, isPortable, type Target } from '../portable/portable.js';
import { targetRef } from '../portable/target-ref.js';

/** A task's function as it travels: `[module URL, name, source hash or '' for { module, name }]`. */
export type TaskTarget = readonly [module: string, name: string, hash: string];

const refs = new WeakMap<object, TaskTarget>();

/**
 * The reference for `target`, checked at the call: a TypeError that says how to mark an
 * unmarked function, or names what is wrong with a `{ module, name }`.
 */
export function taskTarget(target: Target, where: string): TaskTarget {
  if (typeof target === 'function') {
    const known = refs.get(target);
    if (known !== undefined) return known;
  }
  checkTarget(target, where);
  const ref = targetRef(target);
  const made: TaskTarget = [
    ref.module,
    ref.name,
    ref.source === undefined ? '' : sourceHash(ref.source),
  ];
  if (typeof target === 'function') refs.set(target, made);
  return made;
}

/** A task's function found in its module: its export name and the function. */
export type FoundFunction = readonly [exportName: string, fn: (...args: unknown[]) => unknown];

/**
 * Worker side: the function `target` names in the module's `namespace`; a TypeError naming
 * the module when it has none.
 */
export function findTaskFunction(
  namespace: Record<string, unknown>,
  target: TaskTarget,
): FoundFunction {
  const [module, name, hash] = target;
  const named = namespace[name];
  if (hash === '') {
    if (typeof named === 'function')
      return [name, named as unknown as (...args: unknown[]) => unknown];
    throw new TypeError(
      `${module} has no function export named ${JSON.stringify(name)} (found ${typeof named})`,
    );
  }
  if (isPortable(named) && sourceHash(Function.prototype.toString.call(named)) === hash) {
    return [name, named as unknown as (...args: unknown[]) => unknown];
  }
  for (const [exportName, value] of Object.entries(namespace)) {
    if (isPortable(value) && sourceHash(Function.prototype.toString.call(value)) === hash) {
      return [exportName, value as unknown as (...args: unknown[]) => unknown];
    }
  }
  throw new TypeError(
    `function ${name || '(anonymous)'} is marked portable but no portable export of ${module} has its source ` +
      'on this worker: export it there, and run the same version of the module on the submitting side and the workers',
  );
}

const hashes = new Map<string, string>();

function sourceHash(source: string): string {
  let hash = hashes.get(source);
  if (hash === undefined) {
    hash = createHash('sha1').update(source).digest('base64url').slice(0, 16);
    if (hashes.size > 10_000) hashes.clear();
    hashes.set(source, hash);
  }
  return hash;
}
