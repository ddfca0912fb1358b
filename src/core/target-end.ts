/**
 * What must happen once a thread's or process's target has ended, before the runner says
 * so to its parent. A module with such work registers it when it loads (the handle link
 * confirms the queue items its target received), so a runner whose target never loaded
 * that module pays nothing for it — not even for loading this one: the hooks live on
 * `globalThis`, where the entries find them (`runTargetEndHooks` in runner/run-target.ts).
 * @module
 */

/** Where the hooks live (the same `Symbol.for` key as in runner/run-target.ts). */
const HOOKS = Symbol.for('weft.target-end');

const hooks: (() => void)[] = ((globalThis as { [HOOKS]?: (() => void)[] })[HOOKS] ??= []);

/** Runs `hook` when the target of this thread or process ends. */
export function atTargetEnd(hook: () => void): void {
  hooks.push(hook);
}
