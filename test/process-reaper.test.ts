// The reaper (src/process/reaper.ts): one small process per parent that kills the parent's
// children still running once the parent is gone — a child busy with CPU work included —
// never a process that merely reuses a child's pid, and that leaves nothing behind. The
// script is tested directly on processes of this test; the rest with a real parent process
// (test/fixtures/reaper-parent.ts under tsx) that the test SIGKILLs or lets end.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { REAPER_SCRIPT, startTimeOf } from '../src/process/reaper.js';
import { CHILD_TEST, childLimit } from './support/child-budget.js';
import {
  alive,
  endFixtureParents,
  giveUp,
  startFixtureParent,
  survivors,
} from './support/process-helpers.js';

const PARENT = new URL('./fixtures/reaper-parent.ts', import.meta.url);
/** A last guard only: the waits below derive from what starting a child costs here now. */
const LIMIT = CHILD_TEST;
/** A hang guard for what the test itself runs (the reaper script, `sleep`s). */
const HANG_MS = await childLimit(30_000);

const sleepers: ChildProcess[] = [];
after(() => {
  endFixtureParents();
  for (const sleeper of sleepers) if (sleeper.exitCode === null) sleeper.kill('SIGKILL');
});

/** A process of this test's that runs until killed. */
function sleeper(): number {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  sleepers.push(child);
  return child.pid!;
}

interface Printed {
  parent: number;
  reaper: number | undefined;
  child: number;
  /** How long the parent took to start its child (ms): the measure of this machine's speed now. */
  startMs: number;
}

/**
 * How long the test gives the child and the reaper to be gone once the parent is: the
 * reaper's part (wake at end-of-file, a 0.1 s grace, a kill) costs far less than starting a
 * child, which the parent just measured; a busy machine slows both.
 */
function goneWithin({ startMs }: Printed): number {
  return 2_000 + 5 * startMs;
}

function startParent(mode: string) {
  return startFixtureParent<Printed>(PARENT, [mode], (printed) => [printed.child, printed.reaper]);
}

describe('the reaper', () => {
  test(
    'at end-of-file it kills the registered processes, not one forgotten, nor a pid that names another process now',
    LIMIT,
    async () => {
      const [first, second, third, fourth, reused] = [1, 2, 3, 4, 5].map(sleeper) as number[];
      const reaper = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'weft-reaper', '0'], {
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      const exited = once(reaper, 'exit');
      for (const pid of [first, second, third, fourth]) {
        reaper.stdin!.write(`+ ${pid} ${startTimeOf(pid)}\n`);
      }
      // Registered with another start time: the pid was reused since the child it named ended.
      reaper.stdin!.write(`+ ${reused} ${Number(startTimeOf(reused)) + 1}\n`);
      // Forgotten (the first and one in the middle): those children ended, as the parent saw.
      reaper.stdin!.write(`- ${first}\n- ${third}\n`);
      reaper.stdin!.end();
      const [code] = await Promise.race([
        exited,
        giveUp(HANG_MS).then(() => assert.fail('the reaper did not exit at end-of-file')),
      ]);
      assert.equal(code, 0);
      assert.deepEqual(await survivors([second, fourth], HANG_MS), [], 'the registered are killed');
      assert.deepEqual(
        [first, third, reused].filter(alive),
        [first, third, reused],
        'the forgotten and the reused pid are not',
      );
    },
  );

  test(
    'a busy child dies once its parent is SIGKILLed, and the reaper goes too',
    LIMIT,
    async () => {
      const { parent, printed, exited } = await startParent('busy');
      assert.notEqual(printed.reaper, undefined, 'the parent runs a reaper');
      assert.ok(alive(printed.child), 'the child spins');
      parent.kill('SIGKILL');
      await exited;
      // Without the reaper it would spin forever: it never turns its event loop to see its channel close.
      assert.deepEqual(await survivors([printed.child, printed.reaper!], goneWithin(printed)), []);
    },
  );

  test('a parent that ends normally leaves no reaper behind', LIMIT, async () => {
    const { printed, exited } = await startParent('normal');
    assert.notEqual(printed.reaper, undefined, 'the parent ran a reaper');
    const code = await Promise.race([exited, giveUp(HANG_MS).then(() => 'still running')]);
    assert.equal(code, 0, 'the reaper does not keep its parent alive');
    assert.deepEqual(await survivors([printed.child, printed.reaper!], goneWithin(printed)), []);
  });

  test(
    'a reaper killed while its parent runs is replaced, and the replacement kills the children',
    LIMIT,
    async () => {
      const { parent, printed, exited } = await startParent('reaper-killed');
      assert.ok(alive(printed.child), 'the child spins');
      parent.kill('SIGKILL');
      await exited;
      assert.deepEqual(await survivors([printed.child, printed.reaper!], goneWithin(printed)), []);
    },
  );

  test('where no reaper runs, a busy child watches its parent itself', LIMIT, async () => {
    const { parent, printed, exited } = await startParent('busy-self');
    assert.equal(printed.reaper, undefined, 'no reaper');
    parent.kill('SIGKILL');
    await exited;
    assert.deepEqual(await survivors([printed.child], goneWithin(printed)), []);
  });
});
