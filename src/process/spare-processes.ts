/**
 * Spare processes for warm start (Python's forkserver): children running the child entry,
 * weft's part loaded, waiting for a target. `Process.start()` takes one when its options
 * allow (no `env`, no `execArgv`, the same environment and working directory as when the
 * spare was forked); `warmStart()` says how many to keep. An idle spare is unref'd (it never
 * keeps the program alive), is guarded as every weft child is (it never outlives
 * it), and is not a child of the program yet: `activeChildren()` does not list it.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { inheritedNow, type Spare, SparePool, watchSpare } from '../runner/spare-pool.js';
import { forkChild } from './process-start.js';
import { HELLO, processMessageKind } from './protocol.js';

/** This process's spare processes. */
export const spareProcesses = new SparePool<ChildProcess>(forkSpare);

function forkSpare(died: () => void): Spare<ChildProcess> {
  const startedWith = inheritedNow();
  const child = forkChild(undefined, []);
  const watch = watchSpare(child, (message) => processMessageKind(message) === 'ready', died);
  setRef(child, false); // after the listeners: a 'message' listener refs the channel again
  child.send(HELLO, undefined, {}, ignore);
  return {
    worker: child,
    startedWith,
    ...watch,
    stop: () => stopChild(child),
  };
}

/** Refs (or unrefs) the child and its IPC channel: either keeps this process alive. */
export function setRef(child: ChildProcess, ref: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | undefined;
  if (ref) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // Kept alive until the exit is seen, or the promise could be left pending with nothing to run.
    setRef(child, true);
    child.kill('SIGTERM');
  });
}

function ignore(): void {}
