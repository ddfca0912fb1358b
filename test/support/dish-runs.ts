// Helpers for the tests of the dish pipeline (test/cli.test.ts, test/dishes-*.test.ts): run it
// while recording every dish each stage finished, and check that record or the command's output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type DishesMode,
  type DishesOptions,
  type DishesReporter,
  type DishesSummary,
  runDishes,
  type StageName,
} from '../../src/demo/dishes.js';

/** One dish finished by one stage, in the order the main thread heard of it. */
export type DishEvent = [StageName, number];

/**
 * Runs the pipeline and records which dish each stage finished, in one global order;
 * `also` sees every dish after it is recorded.
 */
export async function recordRun(
  options: Partial<DishesOptions>,
  also?: DishesReporter['dish'],
): Promise<{ summary: DishesSummary; events: DishEvent[] }> {
  const events: DishEvent[] = [];
  const summary = await runDishes(options, {
    dish(stage, dish) {
      events.push([stage.name, dish]);
      also?.(stage, dish);
    },
  });
  return { summary, events };
}

/** Every dish 1..`dishes` was finished by every stage exactly once: washed, then dried, then stacked. */
export function assertEveryDishOnceInOrder(events: readonly DishEvent[], dishes: number): void {
  const all = Array.from({ length: dishes }, (_, i) => i + 1);
  for (const stage of ['wash', 'dry', 'stack'] as const) {
    const seen = events.filter(([name]) => name === stage).map(([, dish]) => dish);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      all,
      `${stage}: each dish exactly once`,
    );
  }
  const position = new Map<string, number>();
  for (const [i, [stage, dish]] of events.entries()) position.set(`${stage}${dish}`, i);
  for (const dish of all) {
    assert.ok(position.get(`wash${dish}`)! < position.get(`dry${dish}`)!, `dish ${dish}`);
    assert.ok(position.get(`dry${dish}`)! < position.get(`stack${dish}`)!, `dish ${dish}`);
  }
}

/** What the summary says of each stage: name, workers, dishes; and that its times are in order. */
export function stageCounts(summary: DishesSummary): [StageName, number, number][] {
  for (const stage of summary.stages) assert.ok(stage.firstAt! <= stage.lastAt!, stage.name);
  return summary.stages.map((stage) => [stage.name, stage.workers, stage.dishes]);
}

const WEFT = fileURLToPath(new URL('../../dist/cli/weft.js', import.meta.url));

/** What a run of the `weft` command gave. */
export interface WeftRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `weft ...args` in a child process; a run that outlives `timeout` ms is
 * killed and reported as a failure.
 */
export function runWeft(
  args: readonly string[],
  { timeout, env = process.env }: { timeout: number; env?: NodeJS.ProcessEnv },
): Promise<WeftRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [WEFT, ...args], { timeout, env }, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`weft ${args.join(' ')} was killed: ${error.message}`));
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** The summary table row of `stage`: name, workers, dishes. */
export function summaryRow(stdout: string, stage: string): string[] {
  const row = stdout
    .split('\n')
    .find((line) => line.startsWith(`${stage} `) && !line.includes('/'));
  assert.ok(row, `summary has a row for ${stage}:\n${stdout}`);
  return row.trim().split(/\s+/);
}

/**
 * A run that ended well and whose output shows all `dishes` through every stage: the heading
 * with its mode, full bars, and summary rows with the workers of each stage
 * (`[washers, dryers, stackers]`).
 */
export function assertEveryDishReported(
  run: WeftRun,
  dishes: number,
  workers: [number, number, number],
  mode: DishesMode,
) {
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const [washers, dryers, stackers] = workers;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const crew = [count(washers, 'washer'), count(dryers, 'dryer'), count(stackers, 'stacker')];
  const heading = `Washing ${dishes} dishes: ${crew.join(', ')};`;
  assert.ok(run.stdout.startsWith(heading), run.stdout);
  assert.match(run.stdout.split('\n')[0]!, new RegExp(`\\(mode: ${mode}\\)$`));
  const total = washers + dryers + stackers;
  for (const [stage, n] of [
    ['wash', washers],
    ['dry', dryers],
    ['stack', stackers],
    ['total', total],
  ] as const) {
    const [, rowWorkers, rowDishes] = summaryRow(run.stdout, stage);
    assert.equal(rowWorkers, String(n), `${stage} workers`);
    assert.equal(rowDishes, String(dishes), `${stage} dishes`);
    if (stage !== 'total') {
      assert.match(run.stdout, new RegExp(`^${stage} +█{30}  ${dishes}/${dishes} `, 'm'));
    }
  }
}
