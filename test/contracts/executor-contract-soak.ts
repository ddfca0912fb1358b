// The executor contract, soak: thousands of tasks, 1 % of which kill their worker
// (process.exit inside the task) at random places. Every other task must return its own
// value, every killed one fail with WorkerCrashedError carrying the exit code, the pool must
// replace workers as they die, still work afterwards, and nothing may hang.
//
// 10 000 tasks by default. Each death costs a new worker: a thread starts in milliseconds, a
// child process (a Node child under tsx) in about a quarter of a second on a 2-core machine,
// so a process pool's soak takes about 30 s on a quiet machine (up to 75 s under other load,
// and over 300 s at load 20).
// WEFT_SOAK_TASKS sets another size; WEFT_SOAK_SEED replays the seed a failure names.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type Executor, WorkerCrashedError } from '../../src/index.js';
import { CHILD_TEST } from '../support/child-budget.js';
import type { ExecutorImpl, ExecutorTasks } from '../support/executor-harness.js';

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
async function soak(
  executor: Executor,
  fixtures: ExecutorTasks,
  tasks: number,
  kills: number,
  seed: number,
): Promise<void> {
  const { maybeExit } = fixtures;
  const killed = positions(tasks, kills, seed);
  const futures = Array.from({ length: tasks }, (_, i) =>
    executor.submit(maybeExit, i, killed.has(i)),
  );
  const wrong = wrongOutcomes(await Promise.allSettled(futures), killed, 3);
  assert.deepEqual(wrong.slice(0, 10), [], `seed ${seed}: ${wrong.length} wrong outcomes`);
  assert.equal(await executor.submit(maybeExit, -1, false), -1, 'the pool still works');
  assert.ok(executor.workerCount <= executor.maxWorkers);
}

/** The soak of `impl`, on two workers: run it from a test file of its own (it is long). */
export function executorSoakContract(impl: ExecutorImpl): void {
  const TASKS = Number(process.env.WEFT_SOAK_TASKS ?? 10_000);
  const KILLS = Math.round(TASKS / 100);
  const executor = impl.create({ maxWorkers: 2 });
  after(() => executor.shutdown({ cancelFutures: true }));

  // Only a last guard: each death starts a new worker, and on a busy machine a child process
  // can take seconds to start, so no fixed bound fits the machine the run lands on.
  test(`${impl.name}: ${TASKS} tasks, ${KILLS} of which kill their worker: only those fail`, {
    timeout: CHILD_TEST.timeout,
  }, async () => {
    const seed = Number(process.env.WEFT_SOAK_SEED ?? Date.now() >>> 0);
    await soak(executor, impl.tasks, TASKS, KILLS, seed);
    await executor.shutdown();
    assert.equal(executor.workerCount, 0);
  });
}
