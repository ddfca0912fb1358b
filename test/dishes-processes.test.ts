// The dish pipeline with its dryers in child processes (`runDishes({ mode: 'processes' })`):
// the seed's multiprocessing.JoinableQueue pipeline — the dryers reach the main process's
// queues through handles over a local socket, every dish is counted once per stage, and
// no child is left when the run ends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeChildren } from '../src/index.js';
import { assertEveryDishOnceInOrder, recordRun, stageCounts } from './support/dish-runs.js';

describe('runDishes in processes mode', { timeout: 30_000 }, () => {
  test('every dish passes every stage exactly once; the dryers are processes; none is left', async () => {
    const dishes = 40;
    let duringRun: string[] = [];
    const { summary, events } = await recordRun(
      { washMs: 0, dryMs: 0, stackMs: 0, queueSize: 2, mode: 'processes', dishes, dryers: 2 },
      (stage) => {
        if (stage.name === 'stack' && stage.dishes === 1) {
          duringRun = activeChildren().map((child) => child.name);
        }
      },
    );
    assert.deepEqual(duringRun.sort(), ['dryer-1', 'dryer-2']);
    assertEveryDishOnceInOrder(events, dishes);
    assert.deepEqual(stageCounts(summary), [
      ['wash', 2, dishes],
      ['dry', 2, dishes],
      ['stack', 1, dishes],
    ]);
    assert.deepEqual(activeChildren(), [], 'every dryer process has ended');
  });
});
