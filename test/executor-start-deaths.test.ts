// A worker that dies while it starts (killed from outside, or ending in its initializer) is a
// crash like any other: the executor replaces it and goes on, and no task is lost or failed
// (none was handed to it yet). Only workers that keep dying while they start break the pool,
// and its BrokenExecutor says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  BrokenExecutor,
  type Executor,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  WorkerCrashedError,
} from '../src/index.js';
import { alwaysDie, dieOnFirstStart, double } from './fixtures/start-deaths.js';

const scratch = mkdtempSync(join(tmpdir(), 'weft-start-deaths-'));
const executors: Executor[] = [];
after(async () => {
  await Promise.all(executors.map((executor) => executor.shutdown({ cancelFutures: true })));
  rmSync(scratch, { recursive: true, force: true });
});

type Make = (opts: ConstructorParameters<typeof ThreadPoolExecutor>[0]) => Executor;
const KINDS: [string, Make][] = [
  ['ThreadPoolExecutor', (opts) => new ThreadPoolExecutor(opts)],
  ['ProcessPoolExecutor', (opts) => new ProcessPoolExecutor(opts)],
];

function track<E extends Executor>(executor: E): E {
  executors.push(executor);
  return executor;
}

for (const [name, make] of KINDS) {
  describe(`${name}: workers that die while starting`, () => {
    test('a worker ending in its initializer once is replaced; every task runs', async () => {
      const marker = join(scratch, `${name}-once`);
      const executor = track(
        make({ maxWorkers: 2, initializer: dieOnFirstStart, initArgs: [marker] }),
      );
      const inputs = Array.from({ length: 20 }, (_, i) => i);
      const results = await Promise.all(inputs.map((x) => executor.submit(double, x).result()));
      assert.deepEqual(
        results,
        inputs.map((x) => 2 * x),
      );
      assert.equal(await executor.submit(double, 21).result(), 42);
    });

    test('workers that always die while starting break the pool, and it says so', async () => {
      const executor = track(make({ maxWorkers: 2, initializer: alwaysDie }));
      const future = executor.submit(double, 1);
      await assert.rejects(future.result(), (error: Error) => {
        assert.ok(error instanceof BrokenExecutor, `expected BrokenExecutor, got ${error}`);
        assert.match(
          error.message,
          /5 workers in a row died while starting or running the initializer/,
        );
        assert.ok(error.cause instanceof WorkerCrashedError);
        return true;
      });
      assert.throws(() => executor.submit(double, 2), BrokenExecutor);
    });
  });
}

describe('ProcessPoolExecutor: a child killed from outside while it starts', () => {
  test('is replaced, and every task runs', async () => {
    const executor = track(new ProcessPoolExecutor({ maxWorkers: 1 }));
    const inputs = Array.from({ length: 10 }, (_, i) => i);
    const futures = inputs.map((x) => executor.submit(double, x));
    // The first child appears at once and takes far longer to start than this poll.
    let victim: number | undefined;
    for (let tries = 0; victim === undefined && tries < 10_000; tries++) {
      victim = childrenOf(process.pid)[0];
      if (victim === undefined) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(victim !== undefined, 'the pool started a child');
    process.kill(victim, 'SIGKILL');
    const outcomes = await Promise.allSettled(futures.map((future) => future.result()));
    const crashed = outcomes.filter((outcome) => outcome.status === 'rejected');
    // Had the child been ready already, the task it ran fails with WorkerCrashedError; nothing else may.
    for (const outcome of crashed) {
      assert.ok((outcome as PromiseRejectedResult).reason instanceof WorkerCrashedError);
    }
    assert.ok(
      crashed.length <= 1,
      `only the task a dead child ran may fail, got ${crashed.length}`,
    );
    assert.equal(await executor.submit(double, 21).result(), 42);
  });
});

function childrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([child, command]) => Number(child) > 0 && command !== 'ps')
    .map(([child]) => Number(child));
}
