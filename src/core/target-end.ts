/**
 * What must happen once a thread's or process's target has ended, before the runner says
 * so to its parent. A module with such work registers it when it loads (the handle link
 * confirms the queue items its target received), so a runner whose target never loaded
 * that module pays nothing for it.
 * @module
 */

const hooks: (() => void)[] = [];

/** Runs `hook` when the target of this thread or process ends. */
export function atTargetEnd(hook: () => void): void {
  hooks.push(hook);
}

/** Called by the thread and process entries once the target has ended. */
export function runTargetEndHooks(): void {
  for (const hook of hooks) hook();
}
