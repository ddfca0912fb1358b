// Helpers of the Process tests: every child a test starts is ended after the file, even when
// the test failed half-way, so a failure never leaves a process behind or hangs the run.
import assert from 'node:assert/strict';
import type { Process } from '../../src/index.js';

const children: Process[] = [];

/** Starts `child` and remembers it for `endProcesses`. */
export function started<P extends Process<never>>(child: P): P {
  children.push(child as unknown as Process);
  child.start();
  return child;
}

/** Starts `child` and waits for it to end (60 s at most: a guard against a hang, which a busy machine never reaches). */
export async function run<P extends Process<never>>(child: P): Promise<P> {
  started(child);
  assert.equal(await child.join({ timeout: 60_000 }), true, `${child.name} did not end`);
  return child;
}

/** Kills every child still running: pass it to `after`. */
export async function endProcesses(): Promise<void> {
  await Promise.all(children.map((child) => (child.isAlive() ? child.kill() : undefined)));
  children.length = 0;
}

/** Whether a process with this pid exists (a zombie counts: it is not reaped yet). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
