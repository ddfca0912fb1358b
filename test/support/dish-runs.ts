// Helpers for the tests of the dish pipeline (test/cli.test.ts, test/dishes-threads.test.ts):
// run it while recording every dish each stage finished, and check that record.
import assert from 'node:assert/strict';
import {
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
