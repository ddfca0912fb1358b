/**
 * The worker side of a task's function: its module checked against the allow-list (and so
 * the modules of the portable classes its arguments hold) before anything is imported, then
 * imported once and the function found in it.
 * @module
 */
import { isTree } from '../codec/descriptor.js';
import { importTargetModule } from '../portable/bootstrap.js';
import type { ModuleAllowList } from './module-allow-list.js';
import { decodeRedisValues } from './redis-values.js';
import { findTaskFunction, type TaskTarget } from './task-target.js';

/** A task's function: the real URL of its module, its export name, the function. */
export type TaskFunction = readonly [
  module: string,
  name: string,
  fn: (...args: unknown[]) => unknown,
];

/** @internal The functions one worker has found. */
export class TaskModules {
  readonly #namespaces = new Map<string, Promise<Record<string, unknown>>>();
  readonly #functions = new Map<string, TaskFunction>();

  constructor(private readonly allowList: ModuleAllowList) {}

  /**
   * The function `target` names; rejects with a `ModuleNotAllowedError` (nothing loaded)
   * when its module, or the module of a portable class in `args`, is not on the list.
   */
  async find(target: TaskTarget, args: readonly unknown[]): Promise<TaskFunction> {
    for (const arg of args) {
      if (isTree(arg)) for (const [module] of arg.classes ?? []) this.allowList.check(module);
    }
    const key = `${target[0]}\0${target[1]}\0${target[2]}`;
    const known = this.#functions.get(key);
    if (known !== undefined) return known;
    const module = this.allowList.check(target[0]);
    let namespace = this.#namespaces.get(module);
    if (namespace === undefined) {
      namespace = importTargetModule(module);
      this.#namespaces.set(module, namespace);
      namespace.catch(() => this.#namespaces.delete(module));
    }
    const [name, fn] = findTaskFunction(await namespace, target);
    const found: TaskFunction = [module, name, fn];
    this.#functions.set(key, found);
    return found;
  }

  /** The function `target` names if it was found before (then its module is allowed), else `undefined`. */
  known(target: TaskTarget): TaskFunction | undefined {
    return this.#functions.get(`${target[0]}\0${target[1]}\0${target[2]}`);
  }

  /** `args` when they hold nothing to decode (no instances of portable classes), else `undefined`. */
  plainArgs(args: unknown[]): unknown[] | undefined {
    for (const arg of args) if (isTree(arg)) return undefined;
    return args;
  }

  /** The arguments, decoded (after `find` checked the modules of their classes). */
  decodeArgs(args: unknown[]): Promise<unknown[]> {
    return decodeRedisValues(args);
  }
}
