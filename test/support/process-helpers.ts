// Helpers of the Process tests: every child a test starts is ended after the file, even when
// the test failed half-way, so a failure never leaves a process behind or hangs the run.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Process } from '../../src/index.js';
import { childLimit } from './child-budget.js';

const children: Process[] = [];

/** Starts `child` and remembers it for `endProcesses`. */
export function started<P extends Process<never>>(child: P): P {
  children.push(child as unknown as Process);
  child.start();
  return child;
}

/** Starts `child` and waits for it to end (a guard against a hang: `childLimit(60_000)`, which a busy machine never reaches). */
export async function run<P extends Process<never>>(child: P): Promise<P> {
  started(child);
  const limit = await childLimit(60_000);
  assert.equal(
    await child.join({ timeout: limit }),
    true,
    `${child.name} did not end in ${limit} ms`,
  );
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

/** Whether `pid` runs: a zombie (dead, not yet reaped by whoever adopted it) does not. */
export function alive(pid: number): boolean {
  if (!pidExists(pid)) return false;
  try {
    // Field 3 of /proc/<pid>/stat is the state; the name before it is in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Waits up to `ms` for every pid to be gone; returns those still running. */
export async function survivors(children: number[], ms: number): Promise<number[]> {
  const deadline = performance.now() + ms;
  let left = children.filter(alive);
  while (left.length > 0 && performance.now() < deadline) {
    await sleep(20);
    left = left.filter(alive);
  }
  return left;
}

/** A deadline that does not keep this process alive once the race it guards is over. */
export function giveUp(ms: number): Promise<void> {
  return sleep(ms, undefined, { ref: false });
}

/** A fixture program run as a parent of weft children, and the JSON line it printed first. */
export interface FixtureParent<T> {
  readonly parent: ChildProcess;
  readonly printed: T;
  readonly exited: Promise<number | null>;
}

const fixtureParents: ChildProcess[] = [];
/** Pids the fixture parents printed: killed by `endFixtureParents` if still running. */
const printedPids: number[] = [];

/**
 * Runs the fixture `script` (under this process's flags, so tsx) with `args`, and waits for
 * the first line it prints, JSON; `pidsOf` says which pids in it to kill after the file.
 */
export async function startFixtureParent<T>(
  script: URL,
  args: string[],
  pidsOf: (printed: T) => (number | undefined)[],
): Promise<FixtureParent<T>> {
  // A guard against a hang: the parent starts weft children before it prints.
  const limit = await childLimit(90_000);
  const parent = spawn(process.execPath, [...process.execArgv, fileURLToPath(script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  fixtureParents.push(parent);
  const exited = new Promise<number | null>((resolve) => parent.on('exit', resolve));
  const lines = createInterface({ input: parent.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    exited.then((code) => assert.fail(`the parent exited with ${code} before printing`)),
    giveUp(limit).then(() => assert.fail(`the parent printed nothing within ${limit} ms`)),
  ]);
  const printed = JSON.parse(first) as T;
  for (const pid of pidsOf(printed)) if (pid !== undefined) printedPids.push(pid);
  return { parent, printed, exited };
}

/** Kills every fixture parent, and every pid they printed, still running: pass it to `after`. */
export function endFixtureParents(): void {
  for (const parent of fixtureParents) if (parent.exitCode === null) parent.kill('SIGKILL');
  for (const pid of printedPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  fixtureParents.length = 0;
  printedPids.length = 0;
}
