// No orphans and no zombies: a weft child never outlives its parent, whatever ends the parent
// (SIGKILL included); daemon children are terminated when the parent exits normally, and
// non-daemon children keep the parent alive until they end — as Python's multiprocessing.
// Each test runs a real parent process (test/fixtures/process-orphan-parent.ts under tsx).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CHILD_TEST, childLimit } from './support/child-budget.js';
import {
  alive,
  endFixtureParents,
  giveUp,
  startFixtureParent,
  survivors,
} from './support/process-helpers.js';

const PARENT = new URL('./fixtures/process-orphan-parent.ts', import.meta.url);
/** A last guard only: the waits below derive from what starting a child costs here now. */
const LIMIT = CHILD_TEST;

const dirs: string[] = [];
after(async () => {
  endFixtureParents();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs the fixture parent in `mode` and waits for the pids it prints. */
async function startParent(...args: string[]) {
  const { printed, ...rest } = await startFixtureParent<{ children: number[] }>(
    PARENT,
    args,
    (printed) => printed.children,
  );
  return { ...rest, children: printed.children };
}

/**
 * How long a test waits for children (or a parent) to be gone before it calls them
 * survivors: a hang guard, not a speed check (that they go within a second is the product's
 * promise, but tests do not time it: on a busy machine that would fail for no fault).
 */
const GONE_LIMIT_MS = await childLimit(30_000);

describe('Process: no orphans', () => {
  test('a kill -9 of a parent with three children leaves no child alive', LIMIT, async () => {
    const { parent, children, exited } = await startParent('three');
    assert.equal(children.length, 3);
    assert.deepEqual(children.filter(alive), children, 'the three children run');
    parent.kill('SIGKILL');
    await exited;
    assert.deepEqual(await survivors(children, GONE_LIMIT_MS), []);
  });

  test(
    'a kill -9 of a parent ends children too busy to notice: children, a grandchild, pool children',
    LIMIT,
    async () => {
      const { parent, children, exited } = await startParent('busy');
      assert.equal(children.length, 5);
      assert.deepEqual(children.filter(alive), children, 'the five spin');
      parent.kill('SIGKILL');
      await exited;
      // Without the watchdog they would spin forever.
      assert.deepEqual(await survivors(children, GONE_LIMIT_MS), []);
    },
  );

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
