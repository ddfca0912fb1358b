/**
 * The functions an executor has been asked to run, each numbered once so that tasks carry a
 * small key instead of a module URL and a name; workers learn the definitions in the same
 * order.
 *
 * A portable function travels as a `TargetRef` (module, name, source), made at once: no
 * lookup has to finish first, which matters because looking the export up means importing
 * its module, and that never completes for a function of the program's entry module while
 * the program still awaits at its top level. The worker picks the matching export. In the
 * background the export is still looked up, so that a function that is not exported makes
 * later submits throw at once.
 * @module
 */
import { checkTarget, locate, type Target } from '../portable/portable.js';
import { type TargetRef, targetRef } from '../portable/target-ref.js';

/** Where a worker finds a function. */
export type TargetDefinition = TargetRef;

/** One function the executor runs. */
export class TargetEntry {
  /** Why it cannot run (not exported from its module), once known; later submits throw it. */
  error: unknown = undefined;
  /** The name it is exported as, once found (a function's own name may be empty): the dashboard shows it. */
  exportName: string;

  constructor(
    /** Its number in definition order. */
    readonly key: number,
    readonly definition: TargetDefinition,
  ) {
    this.exportName = definition.name;
  }
}

/** Numbers targets and remembers their definitions in order. */
export class TargetTable {
  /** Definitions in key order. */
  readonly definitions: TargetDefinition[] = [];
  private readonly byFunction = new WeakMap<object, TargetEntry>();
  private readonly byLocation = new Map<string, TargetEntry>();

  /**
   * The entry for `target`, checked at the call: throws a TypeError for an unmarked
   * function or a malformed `{ module, name }`, and for a function already found not to be
   * exported.
   */
  entry(target: Target, where: string): TargetEntry {
    if (typeof target === 'function') {
      const known = this.byFunction.get(target);
      if (known !== undefined) {
        if (known.error !== undefined) throw known.error;
        return known;
      }
      checkTarget(target, where);
      const entry = this.define(targetRef(target));
      this.byFunction.set(target, entry);
      locate(target, where).then(
        (found) => {
          entry.exportName = found.name;
        },
        (error: unknown) => {
          entry.error = error;
        },
      );
      return entry;
    }
    checkTarget(target, where);
    return this.define(targetRef(target));
  }

  private define(definition: TargetDefinition): TargetEntry {
    const id = `${definition.module}\0${definition.name}\0${definition.source ?? ''}`;
    let entry = this.byLocation.get(id);
    if (entry === undefined) {
      entry = new TargetEntry(this.definitions.length, definition);
      this.definitions.push(definition);
      this.byLocation.set(id, entry);
    }
    return entry;
  }
}
