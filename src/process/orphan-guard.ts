/**
 * A child never outlives its parent: weft's children end as soon as their IPC channel to
 * the parent closes — which the kernel does when the parent dies by any cause, SIGKILL
 * included — so nobody has to reap or kill them.
 * @module
 */

let guarded = false;

/**
 * Makes this process exit when its parent's IPC channel closes. Exits with 1 after a
 * short grace for in-flight writes; the `exit` handlers still run, so its own daemon
 * children are terminated and the rest see their channel close and follow.
 */
export function exitWithParent(): void {
  if (guarded || typeof process.send !== 'function') return;
  guarded = true;
  process.on('disconnect', () => {
    process.exitCode = 1;
    // Whatever keeps this process busy, it goes now.
    setImmediate(() => process.exit(1)).unref();
  });
}
