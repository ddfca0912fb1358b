// The executor soaks (thread and process pools): thousands of tasks, 1 % of which kill their
// worker at random places; every other task must return its own value, every killed one fail
// with WorkerCrashedError, and the pool must still work afterwards.
import assert from 'node:assert/strict';
import { type Executor, WorkerCrashedError } from '../../src/index.js';
import { maybeExit } from '../fixtures/executor-tasks.js';

/** `count` distinct positions in 0..n-1, drawn with a seeded generator so a failure can be replayed. */
function positions(n: number, count: number, seed: number): Set<number> {
  let state = seed;
  const chosen = new Set<number>();
  while (chosen.size < count) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    chosen.add(state % n);
  }
  return chosen;
}

/**
 * What went wrong in a soak's outcomes: task `i` must return `i`, except the ones in `kills`,
 * which must fail with `WorkerCrashedError` carrying `exitCode`. Empty when all is well.
 */
function wrongOutcomes(
  outcomes: PromiseSettledResult<unknown>[],
  kills: Set<number>,
  exitCode: number,
): string[] {
  const wrong: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (kills.has(i)) {
      const error = outcome.status === 'rejected' ? outcome.reason : undefined;
      if (
        !(error instanceof WorkerCrashedError) ||
        (error as { exitCode?: number }).exitCode !== exitCode
      ) {
        wrong.push(`task ${i} should have crashed its worker, got ${outcome.status}: ${error}`);
      }
    } else if (outcome.status !== 'fulfilled' || outcome.value !== i) {
      wrong.push(
        `task ${i} should have returned ${i}, got ${outcome.status === 'fulfilled' ? outcome.value : outcome.reason}`,
      );
    }
  });
  return wrong;
}

/**
 * Submits `tasks` tasks to `executor`, `kills` of which exit their worker with code 3 (at
 * positions drawn from `seed`), and asserts every outcome and that the pool still works.
 */
export async function soak(
  executor: Executor,
  tasks: number,
  kills: number,
  seed: number,
): Promise<void> {
  const killed = positions(tasks, kills, seed);
  const futures = Array.from({ length: tasks }, (_, i) =>
    executor.submit(maybeExit, i, killed.has(i)),
  );
  const wrong = wrongOutcomes(await Promise.allSettled(futures), killed, 3);
  assert.deepEqual(wrong.slice(0, 10), [], `seed ${seed}: ${wrong.length} wrong outcomes`);
  assert.equal(await executor.submit(maybeExit, -1, false), -1, 'the pool still works');
  assert.ok(executor.workerCount <= executor.maxWorkers);
}
