/**
 * The child side of the orphan guard: a child never outlives its parent. weft's children
 * end as soon as their IPC channel to the parent closes — which the kernel does when the
 * parent dies by any cause, SIGKILL included.
 *
 * The channel's `disconnect` event needs the child's event loop, which a child busy with
 * CPU work does not turn for as long as that work lasts. Such a child is killed by its
 * parent's reaper (reaper.ts), a process that outlives the parent by a moment for that. A
 * parent that could start no reaper says so in the child's environment: the child then
 * watches its parent itself with a watchdog that needs no turn of its event loop — a tiny
 * worker thread (its own event loop) that notices the parent is gone (the child is adopted,
 * its parent pid changes) and kills the process.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { CHILD_ENV, type ParentWatch } from './protocol.js';

let guarded = false;
/** Settles once the child is guarded: at once, or once its watchdog runs. */
let watching: Promise<void> = Promise.resolve();

/** How often the watchdog looks at the parent pid (ms). */
const WATCH_EVERY = 100;

// Plain CommonJS run by `eval`: the watchdog loads nothing, so it costs little to start.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL');
}, workerData.every);
`;

/**
 * Makes this process exit when its parent's IPC channel closes. Exits with 1 after a
 * short grace for in-flight writes; the `exit` handlers still run, so its own daemon
 * children are terminated and the rest see their channel close and follow. A child too
 * busy to see the channel close is killed within a moment of its parent's death, by the
 * parent's reaper or its own watchdog (and its own children follow it the same way).
 */
export function exitWithParent(): void {
  if (guarded || typeof process.send !== 'function') return;
  guarded = true;
  process.on('disconnect', () => {
    process.exitCode = 1;
    // Whatever keeps this process busy, it goes now.
    setImmediate(() => process.exit(1)).unref();
  });
  if ((process.env[CHILD_ENV] as ParentWatch | undefined) !== 'reaper') watchParent();
}

/** Starts the watchdog thread: this child's parent has no reaper to kill it. */
function watchParent(): void {
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    workerData: { parent: process.ppid, every: WATCH_EVERY },
    stdout: false,
    stderr: false,
    // The watchdog is not a thread of the program: it never keeps the process alive.
    env: {},
  });
  watchdog.unref();
  // Failing to watch must not fail the child: the channel still ends it when it is not busy.
  watchdog.on('error', () => {});
  watching = new Promise((resolve) => {
    watchdog.once('online', resolve);
    watchdog.once('error', () => resolve());
  });
}

/** Resolves once the child is guarded: a spare child is not ready before. */
export function whenGuarded(): Promise<void> {
  return watching;
}
