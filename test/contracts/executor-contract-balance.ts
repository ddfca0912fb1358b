// The executor contract, balance: a burst of submissions is shared across the workers that
// will exist (those still starting included), whatever the tasks before it were, so that
// every worker runs its share and asCompleted reflects completion across workers. Nothing
// here measures time: the tasks of a burst meet at a barrier, which lets each generation
// through only with one task from every worker, so a burst finishes only if every worker
// got its share.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { asCompleted, type Executor, type Future } from '../../src/index.js';
import {
  type ExecutorImpl,
  executorHarness,
  range,
  SUITE,
  take,
} from '../support/executor-harness.js';

/** How many tasks each worker ran, by worker, sorted. */
function perWorker(names: unknown[]): number[] {
  const counts = new Map<unknown, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => a - b);
}

export function executorBalanceContract(impl: ExecutorImpl): void {
  const t = impl.tasks;

  describe(`${impl.name}: a burst is shared across the workers`, SUITE, () => {
    const { pool, gate, barrier, log } = executorHarness(impl);
    const dirs: string[] = [];
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    /**
     * A pool of 2 whose first worker has just run many small tasks (so it may hold many
     * ahead) while the second is still starting: its initializer waits for `secondStarts`.
     */
    async function afterSmallTasks(): Promise<{ executor: Executor; secondStarts: () => void }> {
      const dir = mkdtempSync(join(tmpdir(), 'weft-burst-'));
      dirs.push(dir);
      const executor = pool({
        maxWorkers: 2,
        initializer: t.holdLaterWorkers,
        initArgs: [dir],
      });
      const history = await Promise.all(range(300).map((i) => executor.submit(t.workerId, i)));
      assert.deepEqual(perWorker(history), [300], 'the second worker was still starting');
      return { executor, secondStarts: () => writeFileSync(join(dir, 'go'), '') };
    }

    test('a burst of 2n tasks on a fresh pool of n workers: each runs 2', async () => {
      const n = 3;
      const executor = pool({ maxWorkers: n });
      const meet = barrier(n);
      const names = await Promise.all(range(2 * n).map(() => executor.submit(t.meetOthers, meet)));
      assert.deepEqual(perWorker(names), [2, 2, 2]);
    });

    test('after many small tasks, a burst counts the worker still starting', async () => {
      const { executor, secondStarts } = await afterSmallTasks();
      const meet = barrier(2);
      const burst = range(4).map(() => executor.submit(t.meetOthers, meet));
      await new Promise((resolve) => setImmediate(resolve)); // the burst is handed out
      secondStarts();
      assert.deepEqual(perWorker(await Promise.all(burst)), [2, 2]);
    });

    test('asCompleted yields a burst in the order its tasks finish on different workers', async () => {
      const { executor, secondStarts } = await afterSmallTasks();
      const started = log();
      const gates = [gate(), gate()];
      const burst: Future<unknown>[] = gates.map((open, i) =>
        executor.submit(t.startThenWait, started, open, i),
      );
      await new Promise((resolve) => setImmediate(resolve));
      secondStarts();
      // Both run at once (one on each worker): neither waits behind the other.
      assert.deepEqual((await take(started, 2)).sort(), [0, 1]);
      const order = asCompleted(burst)[Symbol.asyncIterator]();
      gates[1]!.set();
      assert.equal(await (await order.next()).value!.result(), 1);
      gates[0]!.set();
      assert.equal(await (await order.next()).value!.result(), 0);
    });
  });
}
