/**
 * The bootstrapping guard: a worker thread, child process or pool worker imports a module
 * to find its target, and that module's top-level code runs there too. Code that starts a
 * Thread, a Process or a pool's workers at the top level of such a module would start one
 * more from every one started — a chain. As Python refuses to start a process during the
 * "bootstrapping phase", weft refuses: while a worker imports a target's module, starting
 * a thread, process or pool worker is a `RuntimeError` that shows the guard to write.
 *
 * The import runs inside an `AsyncLocalStorage` context, so only the module's own top-level
 * code (and what it awaits) is refused, never a task running at the same time.
 *
 * This module is loaded by every thread and process entry, so it imports nothing of weft's:
 * the refusal itself, with its error class, is in bootstrap-guard.ts.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const importing = new AsyncLocalStorage<string>();

/** Imports `module` to find a target: its top-level code may not start threads or processes. */
export function importTargetModule(module: string): Promise<Record<string, unknown>> {
  return importing.run(module, () => import(module) as Promise<Record<string, unknown>>);
}

/**
 * Runs the import of a target once on an empty module: a spare worker (warm start) does it
 * ahead, so that the first real import does not pay for the loader's first use.
 */
export function warmUpImport(): Promise<unknown> {
  return importTargetModule('data:text/javascript,');
}

/**
 * The module a worker is importing to find its target, when called from that module's
 * top-level code (or what it awaits); else `undefined`. See bootstrap-guard.ts.
 */
export function importingModule(): string | undefined {
  return importing.getStore();
}
