// `weft demo dishes --work cpu`: dryers that checksum each dish instead of sleeping, and
// the closing line that sets the modes run on this machine side by side.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bytesForMs, checksumDish } from '../src/demo/checksum.js';
import { type DishesSummary, resolveDishesOptions, runDishes } from '../src/demo/dishes.js';
import { recordModeRun } from '../src/demo/mode-history.js';
import { assertEveryDishOnceInOrder, recordRun } from './support/dish-runs.js';

const WEFT = fileURLToPath(new URL('../dist/cli/weft.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'weft-demo-cpu-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const QUICK = { dishes: 40, washMs: 0, dryMs: 1, stackMs: 0, queueSize: 2, work: 'cpu' } as const;
const MODES = ['tasks', 'threads', 'processes'] as const;

/** A summary of a run of `options` that took `seconds`. */
function summaryOf(
  options: Parameters<typeof resolveDishesOptions>[0],
  seconds: number,
): DishesSummary {
  return { options: resolveDishesOptions(options), stages: [], seconds };
}

function weftDishes(
  args: string[],
  history: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, WEFT_DEMO_HISTORY: history };
    execFile(
      process.execPath,
      [WEFT, 'demo', 'dishes', ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error?.killed) reject(new Error(`weft demo dishes was killed: ${error.message}`));
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe('dishes --work cpu', { timeout: 120_000 }, () => {
  test('checksumDish: the same for the same dish and bytes, another for another dish', () => {
    assert.equal(checksumDish(7, 1000), checksumDish(7, 1000));
    assert.notEqual(checksumDish(7, 1000), checksumDish(8, 1000));
    assert.equal(checksumDish(7, 0), 0x811c9dc5);
    assert.equal(bytesForMs(0), 0);
    assert.ok(bytesForMs(2) >= 1);
  });

  for (const mode of ['tasks', 'threads'] as const) {
    test(`--mode ${mode}: every dish passes every stage once, in order`, async () => {
      const { summary, events } = await recordRun({ ...QUICK, mode, dryers: 2 });
      assertEveryDishOnceInOrder(events, QUICK.dishes);
      assert.equal(summary.options.work, 'cpu');
    });
  }

  test('a work that is not sleep or cpu is a RangeError', async () => {
    await assert.rejects(
      runDishes({ work: 'fibers' as 'cpu' }),
      /work must be 'sleep' or 'cpu', got "fibers"/,
    );
  });

  test('recordModeRun: the modes of the same setup side by side, the others apart', () => {
    const history = join(dir, 'history.json');
    const first = recordModeRun(summaryOf({ ...QUICK, mode: 'tasks' }, 0.5), MODES, history);
    assert.equal(
      first,
      'this machine, same setup: tasks 80.0 dishes/s (last run of each; not run yet: --mode threads, --mode processes)',
    );
    recordModeRun(summaryOf({ ...QUICK, mode: 'threads' }, 0.25), MODES, history);
    const again = recordModeRun(summaryOf({ ...QUICK, mode: 'tasks' }, 0.4), MODES, history);
    assert.equal(
      again,
      'this machine, same setup: tasks 100.0 · threads 160.0 dishes/s (last run of each; not run yet: --mode processes)',
    );
    const other = recordModeRun(
      summaryOf({ ...QUICK, dishes: 41, mode: 'threads' }, 1),
      MODES,
      history,
    );
    assert.match(other, /^this machine, same setup: threads 41\.0 dishes\/s/);
  });

  test('recordModeRun: a history file that is not JSON is started afresh', () => {
    const history = join(dir, 'broken.json');
    writeFileSync(history, '{ not json');
    const line = recordModeRun(summaryOf({ ...QUICK, mode: 'processes' }, 1), MODES, history);
    assert.match(line, /^this machine, same setup: processes 40\.0 dishes\/s/);
  });

  test('weft demo dishes --work cpu: the heading says so, and the last line compares the modes run', async () => {
    const history = join(dir, 'cli.json');
    const args = [
      '--work',
      'cpu',
      '--dishes',
      '20',
      '--dry-ms',
      '1',
      '--wash-ms',
      '0',
      '--stack-ms',
      '0',
    ];
    const threads = await weftDishes([...args, '--mode', 'threads'], history);
    assert.equal(threads.code, 0, threads.stderr);
    assert.match(threads.stdout.split('\n')[0]!, /\(mode: threads, work: cpu\)$/);
    const tasks = await weftDishes([...args, '--mode', 'tasks'], history);
    assert.equal(tasks.code, 0, tasks.stderr);
    const last = tasks.stdout.trimEnd().split('\n').at(-1)!;
    assert.match(
      last,
      /^this machine, same setup: tasks [\d.]+ · threads [\d.]+ dishes\/s \(last run of each; not run yet: --mode processes, --mode redis\)$/,
    );
  });

  test('weft demo dishes --work fibers exits 2 and names the kinds of work', async () => {
    const run = await weftDishes(['--work', 'fibers'], join(dir, 'unused.json'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--work fibers is not a kind of work\nUse --work sleep or --work cpu/);
  });
});
