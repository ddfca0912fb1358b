// No orphans and no zombies: a weft child never outlives its parent, whatever ends the parent
// (SIGKILL included); daemon children are terminated when the parent exits normally, and
// non-daemon children keep the parent alive until they end — as Python's multiprocessing.
// Each test runs a real parent process (test/fixtures/process-orphan-parent.ts under tsx).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pidExists } from './support/process-helpers.js';

const PARENT = fileURLToPath(new URL('./fixtures/process-orphan-parent.ts', import.meta.url));
const LIMIT = { timeout: 120_000 };

const parents: ChildProcess[] = [];
const pids: number[] = [];
const dirs: string[] = [];
after(async () => {
  for (const parent of parents) if (parent.exitCode === null) parent.kill('SIGKILL');
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Whether `pid` runs: a zombie (dead, not yet reaped by whoever adopted it) does not. */
function alive(pid: number): boolean {
  if (!pidExists(pid)) return false;
  try {
    // Field 3 of /proc/<pid>/stat is the state; the name before it is in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** A deadline that does not keep this process alive once the race it guards is over. */
function giveUp(ms: number): Promise<void> {
  return sleep(ms, undefined, { ref: false });
}

interface Started {
  parent: ChildProcess;
  children: number[];
  exited: Promise<number | null>;
}

/** Runs the fixture parent in `mode` and waits for the pids it prints. */
async function startParent(...args: string[]): Promise<Started> {
  const parent = spawn(process.execPath, [...process.execArgv, PARENT, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  parents.push(parent);
  const exited = new Promise<number | null>((resolve) => parent.on('exit', resolve));
  const lines = createInterface({ input: parent.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    exited.then((code) => assert.fail(`the parent exited with ${code} before printing`)),
    giveUp(90_000).then(() => assert.fail('the parent printed nothing within 90 s')),
  ]);
  const { children } = JSON.parse(first) as { children: number[] };
  pids.push(...children);
  return { parent, children, exited };
}

/**
 * How long a test waits for children (or a parent) to be gone before it calls them
 * survivors: a hang guard, not a speed check (that they go within a second is the product's
 * promise, but tests do not time it: on a busy machine that would fail for no fault).
 */
const GONE_LIMIT_MS = 30_000;

/** Waits up to `ms` for every pid to be gone; returns those still running. */
async function survivors(children: number[], ms: number): Promise<number[]> {
  const deadline = performance.now() + ms;
  let left = children.filter(alive);
  while (left.length > 0 && performance.now() < deadline) {
    await sleep(20);
    left = left.filter(alive);
  }
  return left;
}

describe('Process: no orphans', () => {
  test('a kill -9 of a parent with three children leaves no child alive', LIMIT, async () => {
    const { parent, children, exited } = await startParent('three');
    assert.equal(children.length, 3);
    assert.deepEqual(children.filter(alive), children, 'the three children run');
    parent.kill('SIGKILL');
    await exited;
    assert.deepEqual(await survivors(children, GONE_LIMIT_MS), []);
  });

  test('a kill -9 of a parent ends children too busy to notice: children, a grandchild, pool children', {
    timeout: 120_000,
  }, async () => {
    const { parent, children, exited } = await startParent('busy');
    assert.equal(children.length, 5);
    assert.deepEqual(children.filter(alive), children, 'the five spin');
    parent.kill('SIGKILL');
    await exited;
    // Without the watchdog they would spin forever.
    assert.deepEqual(await survivors(children, GONE_LIMIT_MS), []);
  });

  test('a daemon child is terminated when its parent exits normally', LIMIT, async () => {
    // The pids come once the daemon child runs its target; the parent exits right after.
    const { children, exited } = await startParent('daemon');
    // The daemon child does not keep its parent alive: the parent's main module is done.
    const code = await Promise.race([exited, giveUp(GONE_LIMIT_MS).then(() => 'still running')]);
    assert.equal(code, 0);
    assert.deepEqual(await survivors(children, GONE_LIMIT_MS), []);
  });

  test('a non-daemon child keeps its parent alive until it ends', LIMIT, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-orphans-'));
    dirs.push(dir);
    const file = join(dir, 'done');
    const { children, exited } = await startParent('non-daemon', file);
    const code = await Promise.race([exited, giveUp(GONE_LIMIT_MS).then(() => 'still running')]);
    assert.equal(code, 0);
    // Had the parent exited first, the child would have gone with it before writing.
    assert.equal(await readFile(file, 'utf8'), 'finished');
    assert.deepEqual(await survivors(children, GONE_LIMIT_MS), []);
  });
});
