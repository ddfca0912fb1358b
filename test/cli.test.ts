// The `weft` command as a user runs it (the built dist/cli/weft.js in a child process),
// and the dish-washing pipeline behind `weft demo dishes` as a library.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type DishesMode, runDishes, type StageStats } from '../src/demo/dishes.js';
import { formatStageLine, progressReporter } from '../src/demo/progress.js';
import {
  assertEveryDishOnceInOrder,
  assertEveryDishReported,
  recordRun,
  runWeft,
  stageCounts,
  summaryRow,
  type WeftRun,
} from './support/dish-runs.js';

const ESC = '\x1b';
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Runs `weft ...args`; a run that outlives 15 s is killed and reported as a failure. */
function weft(...args: string[]): Promise<WeftRun> {
  return runWeft(args, { timeout: 15_000 });
}

describe('weft demo dishes', () => {
  test('runs the pipeline and reports every dish through every stage', async () => {
    const run = await weft(
      ...'demo dishes --dishes 50 --washers 2 --dryers 3 --stackers 1'.split(' '),
      ...'--wash-ms 0 --dry-ms 1 --stack-ms 0'.split(' '),
    );
    assertEveryDishReported(run, 50, [2, 3, 1], 'tasks');
    // stdout is a pipe here, not a TTY: only the final state, no cursor movement.
    assert.ok(!run.stdout.includes(ESC), 'no ANSI escapes');
  });

  test('--no-progress prints the final state and the summary only', async () => {
    const run = await weft('demo', 'dishes', '--dishes', '3', '--no-progress', '--mode', 'tasks');
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes(ESC), 'no ANSI escapes');
    assert.equal(run.stdout.match(/ 3\/3 /g)?.length, 3);
    assert.equal(summaryRow(run.stdout, 'stack')[2], '3');
  });

  test('--dashboard serves the live dashboard while the run lasts, its address on stderr', async () => {
    const run = await weft('demo', 'dishes', '--dishes', '3', '--no-progress', '--dashboard', '0');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^weft demo dishes: dashboard at http:\/\/127\.0\.0\.1:\d+\/\n$/);
    assert.equal(summaryRow(run.stdout, 'stack')[2], '3');
  });

  test('demo dishes --help lists every option with its default', async () => {
    const run = await weft('demo', 'dishes', '--help');
    assert.equal(run.code, 0);
    for (const flag of ['dishes', 'washers', 'dryers', 'stackers', 'queue-size', 'wash-ms']) {
      assert.match(run.stdout, new RegExp(`--${flag} N .*\\(default \\d+`));
    }
    assert.match(run.stdout, /--no-progress/);
    assert.match(
      run.stdout,
      /--mode MODE +where the dryers run: tasks or threads or processes or redis \(default tasks\)/,
    );
  });

  test('--mode threads runs the dryers in worker threads and ends on its own', async () => {
    const run = await weft(
      ...'demo dishes --mode threads --dishes 30 --dryers 2'.split(' '),
      ...'--wash-ms 0 --dry-ms 1 --stack-ms 0'.split(' '),
    );
    assertEveryDishReported(run, 30, [2, 2, 1], 'threads');
  });

  test('--mode processes runs the dryers in child processes and ends on its own', async () => {
    const run = await weft(
      ...'demo dishes --mode processes --dishes 30 --dryers 2'.split(' '),
      ...'--wash-ms 0 --dry-ms 1 --stack-ms 0'.split(' '),
    );
    assertEveryDishReported(run, 30, [2, 2, 1], 'processes');
  });
});

describe('weft', () => {
  test('--help lists the demo', async () => {
    const run = await weft('--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /weft demo dishes \[options\]/);
    assert.match(run.stdout, /--version/);
  });

  test('--version prints the package version', async () => {
    const run = await weft('--version');
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `${PACKAGE.version}\n`);
  });

  const mistakes: [string[], RegExp][] = [
    [[], /no command given[\s\S]*weft --help/],
    [['wash'], /unknown command 'wash'[\s\S]*weft --help/],
    [['--verbose'], /unknown option --verbose/],
    [['demo'], /which demo\?[\s\S]*dishes/],
    [['demo', 'laundry'], /unknown demo 'laundry'[\s\S]*dishes/],
    [['demo', 'dishes', '--plates', '3'], /unknown option --plates[\s\S]*--help/],
    [['demo', 'dishes', '--dishes', '-5'], /--dishes must be a whole number >= 1, got '-5'/],
    [['demo', 'dishes', '--dishes', '2.5'], /--dishes must be a whole number >= 1, got '2.5'/],
    [['demo', 'dishes', '--washers', '0'], /--washers must be a whole number >= 1, got '0'/],
    [['demo', 'dishes', '--queue-size', '0'], /--queue-size must be a whole number >= 1/],
    [['demo', 'dishes', '--dry-ms', 'soon'], /--dry-ms must be a whole number \(0 or more\)/],
    [['demo', 'dishes', '--dishes'], /--dishes needs a value/],
    [['demo', 'dishes', '--no-progress=yes'], /--no-progress takes no value/],
    [['demo', 'dishes', '50'], /unexpected argument '50'[\s\S]*--dishes 50/],
    [
      ['demo', 'dishes', '--mode', 'fibers'],
      /--mode fibers is not a mode\nUse --mode tasks or --mode threads or --mode processes/,
    ],
    [['demo', 'dishes', '--mode'], /--mode needs a value/],
    [['demo', 'dishes', '--dashboard', 'x'], /--dashboard must be a whole number \(0 or more\)/],
    [['demo', 'dishes', '--dashboard', '70000'], /--dashboard must be at most 65535/],
  ];
  for (const [args, message] of mistakes) {
    test(`'weft ${args.join(' ')}' exits 2 and says what was wrong`, async () => {
      const run = await weft(...args);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace for a usage mistake');
      assert.equal(run.stdout, '');
    });
  }
});

describe('runDishes', () => {
  test('every dish passes through every stage exactly once, in stage order', async () => {
    const dishes = 120;
    const { summary, events } = await recordRun({
      dishes,
      washers: 3,
      dryers: 2,
      stackers: 2,
      queueSize: 2,
      washMs: 0,
      dryMs: 1,
      stackMs: 0,
    });
    assertEveryDishOnceInOrder(events, dishes);
    assert.deepEqual(stageCounts(summary), [
      ['wash', 3, dishes],
      ['dry', 2, dishes],
      ['stack', 2, dishes],
    ]);
  });

  test('a single worker per stage and a queue of one still finishes every dish', async () => {
    const { events } = await recordRun({
      dishes: 10,
      washers: 1,
      dryers: 1,
      stackers: 1,
      queueSize: 1,
      washMs: 0,
      dryMs: 0,
      stackMs: 0,
    });
    const stacked = events.filter(([name]) => name === 'stack').map(([, dish]) => dish);
    assert.deepEqual(stacked, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('options that cannot work are refused with a RangeError', async () => {
    for (const bad of [{ dishes: 0 }, { washers: 1.5 }, { queueSize: -1 }, { dryMs: -1 }]) {
      await assert.rejects(runDishes(bad), RangeError, JSON.stringify(bad));
    }
    await assert.rejects(
      runDishes({ mode: 'fibers' as DishesMode }),
      /mode must be 'tasks' or 'threads' or 'processes' or 'redis', got "fibers"/,
    );
  });

  test('a worker that fails stops the run and its error comes out', async () => {
    const broken = new Error('dropped a plate');
    const run = runDishes(
      { dishes: 30, washMs: 0, dryMs: 0, stackMs: 0, queueSize: 2 },
      {
        dish(stage, dish) {
          if (stage.name === 'dry' && dish === 5) throw broken;
        },
      },
    );
    await assert.rejects(run, broken);
  });
});

describe('progress display', () => {
  const stage = (dishes: number): StageStats => ({
    name: 'wash',
    workers: 1,
    dishes,
    firstAt: 0,
    lastAt: 1000,
  });

  test('a stage line shows a bar, the count and the rate', () => {
    assert.equal(
      formatStageLine(stage(70), 100),
      `wash   ${'█'.repeat(21)}${'░'.repeat(9)}   70/100     70.0 dishes/s`,
    );
    assert.match(formatStageLine({ ...stage(0), firstAt: undefined }, 5), /0\/5 +- dishes\/s$/);
  });

  test('live mode redraws in place; otherwise only the final state is written', async () => {
    const options = { dishes: 20, washMs: 0, dryMs: 0, stackMs: 0 };
    let live = '';
    await runDishes(
      options,
      progressReporter({ write: (t) => (live += t) }, { live: true, redrawMs: 0 }),
    );
    assert.ok(live.includes(`${ESC}[3A`), 'cursor moves up over the three stage lines');
    let plain = '';
    await runDishes(options, progressReporter({ write: (t) => (plain += t) }, { live: false }));
    assert.ok(!plain.includes(ESC), 'no ANSI escapes');
    assert.equal(plain.match(/20\/20/g)?.length, 3);
    assert.match(plain, /^total +6 +20 /m);
  });
});
