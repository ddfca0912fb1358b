// The local dashboard (serveDashboard from 'weft' without `redis`): the figures its source
// reads from this program's queues, executors and pools, and the same over HTTP. The
// command `weft dashboard --local`: dashboard-local-cli.test.ts; in a browser:
// dashboard-browser.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DashboardSnapshot } from '../src/dashboard/snapshot.js';
import {
  Event,
  Pool,
  PriorityQueue,
  Queue,
  SharedQueue,
  serveDashboard,
  TaskPool,
  ThreadPoolExecutor,
} from '../src/index.js';
import * as tasks from './fixtures/executor-tasks.js';
import { childLimit } from './support/child-budget.js';
import {
  EventStream,
  executorIn,
  fetchSnapshot,
  queueIn,
  snapshotWhen,
  workersIn,
} from './support/dashboard-client.js';

const FILE = { timeout: 300_000 };
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A local dashboard for one test, closed at its end. */
const open = () => serveDashboard({ port: 0, interval: 100 });

/** Waits at least `ms` (rates need two looks at different times). */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local dashboard: queues', FILE, () => {
  test('waiting, in flight, rates and state of a Queue as it fills and drains', async () => {
    await using dashboard = await open();
    const queue = new Queue<number>(10);
    const name = 'Queue 1 (maxsize 10)';
    const first = await fetchSnapshot(dashboard.url);
    assert.equal(first.source, `this program (pid ${process.pid})`);
    assert.equal(first.scope, 'program');
    assert.deepEqual(queueIn(first, name), {
      name,
      waiting: 0,
      inFlight: 0,
      donePerSecond: null,
      addedPerSecond: null,
      oldestAgeMs: null,
      shutDown: null,
    });
    for (let i = 0; i < 5; i++) await queue.put(i);
    await queue.get();
    await queue.get();
    queue.taskDone();
    await pause(20);
    const filled = queueIn(await fetchSnapshot(dashboard.url), name)!;
    assert.equal(filled.waiting, 3);
    assert.equal(filled.inFlight, 1, 'two got, one of them marked done');
    assert.ok(filled.addedPerSecond! > 0 && filled.donePerSecond! > 0, JSON.stringify(filled));
    // A getter parked before the put takes the item at once: it counts as got too.
    while (!queue.empty()) await queue.get();
    const parked = queue.get();
    await queue.put(9);
    assert.equal(await parked, 9);
    for (let i = 0; i < 5; i++) queue.taskDone();
    queue.shutdown();
    const drained = queueIn(await fetchSnapshot(dashboard.url), name)!;
    assert.deepEqual(
      [drained.waiting, drained.inFlight, drained.shutDown],
      [0, 0, 'graceful'],
      JSON.stringify(drained),
    );
    const immediate = new PriorityQueue<number>();
    immediate.putNowait(1);
    immediate.shutdown(true);
    const dropped = queueIn(await fetchSnapshot(dashboard.url), 'PriorityQueue 1 (unbounded)')!;
    assert.deepEqual([dropped.waiting, dropped.inFlight, dropped.shutDown], [0, 0, 'immediate']);
  });

  test('a SharedQueue counts what every thread puts and gets; its name is shown', async () => {
    await using dashboard = await open();
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const jobs = new SharedQueue<number>({ name: 'jobs', maxsize: 8 });
    assert.equal(queueIn(await fetchSnapshot(dashboard.url), 'jobs')!.addedPerSecond, null);
    await jobs.put(1);
    await executor.submit(tasks.putFromTask, jobs as never, 2);
    await executor.submit(tasks.putFromTask, jobs as never, 3);
    assert.equal(await jobs.get(), 1);
    await pause(20);
    const seen = queueIn(await fetchSnapshot(dashboard.url), 'jobs')!;
    assert.deepEqual([seen.waiting, seen.inFlight], [2, 1]);
    jobs.taskDone();
    jobs.shutdown(true);
    const after = queueIn(await fetchSnapshot(dashboard.url), 'jobs')!;
    assert.deepEqual([after.waiting, after.inFlight, after.shutDown], [0, 0, 'immediate']);
    assert.ok(after.addedPerSecond! > 0 && after.donePerSecond! > 0, JSON.stringify(after));
  });

  test('two objects given one name are told apart by their labels', async () => {
    await using dashboard = await open();
    const queues = [new SharedQueue({ name: 'twin' }), new SharedQueue({ name: 'twin' })];
    const names = (await fetchSnapshot(dashboard.url)).queues.map((queue) => queue.name);
    assert.deepEqual(names, ['twin', 'twin (SharedQueue 2)']);
    assert.equal(queues.length, 2);
  });
});

describe('local dashboard: executors and pools', FILE, () => {
  test('a ThreadPoolExecutor: waiting, running, done and failed, and its workers', async () => {
    await using dashboard = await open();
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1, name: 'resize' });
    const gate = new Event();
    const running = executor.submit(tasks.waitForGate, gate as never, 'late');
    const queued = executor.submit(tasks.square, 4);
    const busy = await snapshotWhen(
      dashboard.url,
      (s) => workersIn(s, 'resize')[0]?.current.length === 1,
      'the worker runs the gated task',
    );
    const row = executorIn(busy, 'resize')!;
    assert.deepEqual([row.waiting, row.inFlight, row.workers], [1, 1, 1]);
    assert.deepEqual([row.retrying, row.dead], [null, null]);
    const [worker] = workersIn(busy, 'resize');
    assert.match(worker!.id, /^thread \d+$/);
    assert.equal(worker!.pid, process.pid);
    assert.deepEqual([worker!.mode, worker!.state, worker!.health], ['thread', 'running', 'alive']);
    assert.match(worker!.current[0]!.task, /executor-tasks\.ts#waitForGate$/);
    gate.set();
    assert.equal(await running, 'late');
    assert.equal(await queued, 16);
    await assert.rejects(async () => await executor.submit(tasks.sqrtOrThrow, -1), /negative/);
    const done = await snapshotWhen(
      dashboard.url,
      (s) => workersIn(s, 'resize')[0]?.failed === 1,
      'the failure is counted',
    );
    assert.deepEqual(
      [workersIn(done, 'resize')[0]!.done, workersIn(done, 'resize')[0]!.current],
      [2, []],
    );
    const idle = executorIn(done, 'resize')!;
    assert.deepEqual([idle.waiting, idle.inFlight], [0, 0]);
    assert.ok(idle.donePerSecond! > 0 && idle.failedPerSecond! > 0, JSON.stringify(idle));
    await executor.shutdown();
    const closed = executorIn(await fetchSnapshot(dashboard.url), 'resize')!;
    assert.deepEqual([closed.shutDown, closed.workers], ['graceful', 0]);
  });

  test('a process pool shows its workers as processes with their pids', async () => {
    await using dashboard = await open();
    const pool = new Pool(1);
    try {
      assert.equal(await pool.apply(tasks.square, [3]), 9);
      const [worker] = workersIn(await fetchSnapshot(dashboard.url), 'Pool 1 (1 workers)');
      assert.ok(worker !== undefined);
      assert.equal(worker.id, `process ${worker.pid}`);
      assert.notEqual(worker.pid, process.pid);
      assert.deepEqual([worker.mode, worker.done, worker.failed], ['process', 1, 0]);
    } finally {
      await pool.terminate();
    }
  });

  test('a TaskPool: tasks waiting for a slot, running, done and failed; no workers', async () => {
    await using dashboard = await open();
    const pool = new TaskPool(2);
    const gate = new Event();
    const gated = [1, 2, 3].map(() => pool.spawn(() => gate.wait()));
    const name = 'TaskPool 1 (size 2)';
    const busy = executorIn(await fetchSnapshot(dashboard.url), name)!;
    assert.deepEqual([busy.waiting, busy.inFlight, busy.workers], [1, 2, null]);
    gate.set();
    await Promise.all(gated);
    const failing = pool.spawn(async () => {
      throw new Error('boom');
    });
    await assert.rejects(async () => await failing, /boom/);
    assert.deepEqual(await pool.map(async (n: number) => n + 1, [1, 2]), [2, 3]);
    await pause(20);
    const after = executorIn(await fetchSnapshot(dashboard.url), name)!;
    assert.deepEqual([after.waiting, after.inFlight], [0, 0]);
    assert.ok(after.addedPerSecond! > 0 && after.failedPerSecond! > 0, JSON.stringify(after));
  });
});

describe('local dashboard: serving', FILE, () => {
  test('over HTTP: a queue fills and drains and an executor counts up in /events', async () => {
    await using dashboard = await open();
    await using executor = new ThreadPoolExecutor({ maxWorkers: 2, name: 'squares' });
    const queue = new Queue<number>();
    await using events = new EventStream(dashboard.url);
    const waiting = (s: DashboardSnapshot) => queueIn(s, 'Queue 1 (unbounded)')?.waiting;
    for (let i = 0; i < 4; i++) queue.putNowait(i);
    await events.until((s) => waiting(s) === 4);
    while (!queue.empty()) await queue.get();
    await events.until((s) => waiting(s) === 0);
    let before = 0;
    for (let round = 1; round <= 2; round++) {
      await Promise.all([1, 2, 3].map((n) => executor.submit(tasks.square, n)));
      const seen = await events.until((s) => {
        const done = workersIn(s, 'squares').reduce((sum, worker) => sum + worker.done, 0);
        return done === 3 * round;
      });
      const done = workersIn(seen, 'squares').reduce((sum, worker) => sum + worker.done, 0);
      assert.ok(done > before);
      before = done;
    }
  });

  test('no dead letters: the list is empty and a re-drive answers false', async () => {
    await using dashboard = await open();
    assert.deepEqual((await fetchSnapshot(dashboard.url)).deadLetters, []);
    const answer = await fetch(new URL('redrive', dashboard.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'any', id: '1' }),
    });
    assert.deepEqual(await answer.json(), { redriven: false });
  });

  test('options: connectTimeout needs redis; the rest are checked as for a Redis', async () => {
    await assert.rejects(
      serveDashboard({ port: 0, connectTimeout: 100 }),
      /connectTimeout is for a Redis; give \{ redis \} too/,
    );
    await assert.rejects(serveDashboard({ port: -1 }), RangeError);
    await assert.rejects(serveDashboard({ port: 0, bogus: 1 } as never), /bogus/);
  });

  test('it never keeps the program running, a page listening or not: the program ends by itself', async () => {
    const limit = await childLimit(60_000);
    // Serves, says where, and keeps a queue busy until the test has read one event.
    const program = `
      import { Queue, serveDashboard } from './src/index.ts';
      const dashboard = await serveDashboard({ port: 0, interval: 100 });
      const queue = new Queue();
      await queue.put(1);
      console.log(dashboard.url);
      process.stdin.once('data', () => process.stdin.destroy());
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', program],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), limit);
    try {
      const exited = once(child, 'exit');
      const [line] = (await once(child.stdout.setEncoding('utf8'), 'data')) as [string];
      await using events = new EventStream(line.trim());
      const seen = await events.until((s) => s.queues.length === 1);
      assert.equal(seen.queues[0]!.waiting, 1);
      child.stdin.write('done\n');
      // Its page still listens (the stream is open): the program ends all the same.
      assert.deepEqual(await exited, [0, null]);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  });
});
