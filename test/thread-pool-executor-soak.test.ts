// Soak: 10 000 tasks, 1 % of which kill their worker (process.exit inside the task) at
// random places. Every other task succeeds with its own value, every killed one fails with
// WorkerCrashedError, the pool replaces workers as they die, and nothing hangs.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ThreadPoolExecutor, WorkerCrashedError } from '../src/index.js';
import { maybeExit } from './fixtures/executor-tasks.js';

const TASKS = 10_000;
const KILLS = 100;

const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
after(() => executor.shutdown({ cancelFutures: true }));

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

test(`${TASKS} tasks, ${KILLS} of which kill their worker: only those fail`, async () => {
  const seed = Date.now() >>> 0;
  const kills = positions(TASKS, KILLS, seed);
  const futures = Array.from({ length: TASKS }, (_, i) =>
    executor.submit(maybeExit, i, kills.has(i)),
  );
  const outcomes = await Promise.allSettled(futures);
  const wrong: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (kills.has(i)) {
      const error = outcome.status === 'rejected' ? outcome.reason : undefined;
      if (
        !(error instanceof WorkerCrashedError) ||
        (error as { exitCode?: number }).exitCode !== 3
      ) {
        wrong.push(`task ${i} should have crashed its worker, got ${outcome.status}`);
      }
    } else if (outcome.status !== 'fulfilled' || outcome.value !== i) {
      wrong.push(
        `task ${i} should have returned ${i}, got ${outcome.status === 'fulfilled' ? outcome.value : outcome.reason}`,
      );
    }
  });
  assert.deepEqual(wrong.slice(0, 10), [], `seed ${seed}: ${wrong.length} wrong outcomes`);
  assert.equal(await executor.submit(maybeExit, -1, false), -1, 'the pool still works');
  assert.ok(executor.workerCount <= 2);
});
