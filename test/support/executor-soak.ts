// The RedisExecutor soak (scripts/redis-executor-soak.ts, and a small one in
// test/redis-executor-soak.test.ts): tasks through a RedisExecutor to `weft worker` processes
// that are SIGKILLed at random instants (while they take tasks) and replaced. Each task adds its id to a Redis set of
// the worker process that ran it; afterwards every future has its task's value, the queue and
// the dead letters are empty, every task ran, and no task ran on two workers that lived (a
// task runs again only when the worker that had it was killed).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisExecutor } from '../../src/redis/index.js';
import { recordRun } from '../fixtures/redis-soak-tasks.js';
import { seededRandom } from './dead-party.js';

const WEFT = fileURLToPath(new URL('../../src/cli/weft.ts', import.meta.url));
const TASKS = fileURLToPath(new URL('../fixtures/redis-soak-tasks.ts', import.meta.url));
/** How long the soak may go without a task completing before it gives up (ms). */
const STALL_MS = 120_000;

/** What a soak runs. */
export interface ExecutorSoakOptions {
  /** The Redis (one the soak may write `weft-soak:*` and a task queue of its own to). */
  readonly url: string;
  readonly tasks: number;
  /** Worker processes alive at once. */
  readonly workers: number;
  /** Each worker's `--concurrency`. */
  readonly concurrency: number;
  /** How many workers are SIGKILLed (each at a random count of completed tasks) and replaced. */
  readonly kills: number;
  /** The workers' `--visibility-timeout` (ms): a killed worker's tasks wait this long. */
  readonly visibilityTimeout: number;
  /** Makes the kill instants and victims replayable. */
  readonly seed: number;
  readonly log?: (line: string) => void;
}

/** What a soak saw. */
export interface ExecutorSoakReport {
  readonly tasks: number;
  readonly kills: number;
  /** Worker processes started, replacements included. */
  readonly workersStarted: number;
  /** Runs of tasks beyond one each: all by workers that were killed. */
  readonly reruns: number;
  readonly seconds: number;
}

/** Runs a soak; throws (an AssertionError) when a task was lost or ran on two live workers. */
export async function executorSoak(options: ExecutorSoakOptions): Promise<ExecutorSoakReport> {
  const { url, tasks, kills, seed } = options;
  const random = seededRandom(seed);
  const queue = `soak-${process.pid}-${seed}`;
  const runsKey = `weft-soak:{${queue}}:ran`;
  const alive = new Set<ChildProcess>();
  /** Workers that said they take tasks (a kill is aimed at one of those: it holds tasks). */
  const taking = new Set<ChildProcess>();
  const killed = new Set<number>();
  const started: number[] = [];
  const surprises: string[] = [];

  const startWorker = (): void => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        WEFT,
        'worker',
        ...['--redis', url, '--queue', queue, '--module', TASKS],
        ...['--concurrency', String(options.concurrency)],
        ...['--visibility-timeout', String(options.visibilityTimeout)],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, WEFT_REDIS_URL: url } },
    );
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-2_000);
      if (/: queue /.test(log) && alive.has(child)) taking.add(child);
    });
    alive.add(child);
    started.push(child.pid!);
    child.once('exit', (code, signal) => {
      alive.delete(child);
      taking.delete(child);
      if (signal !== 'SIGKILL' && !(signal === null && code === 0)) {
        surprises.push(`worker ${child.pid} exited with ${code ?? signal}: ${log}`);
      }
    });
  };

  const began = performance.now();
  const executor = new RedisExecutor({ queue, redis: url });
  const raw = new Redis(url);
  try {
    for (let i = 0; i < options.workers; i++) startWorker();
    // Kill points: random counts of completed tasks, in order.
    const killAt = Array.from({ length: kills }, () => Math.floor(random() * tasks)).sort(
      (a, b) => a - b,
    );
    let completed = 0;
    let lastProgress = performance.now();
    const futures = new Array<Promise<number>>(tasks);
    for (let id = 0; id < tasks; id++) {
      futures[id] = executor.submit(recordRun, runsKey, id).then((value) => {
        completed++;
        lastProgress = performance.now();
        return value;
      });
    }
    const all = Promise.all(futures);
    all.catch(() => {});
    let killsDone = 0;
    while (completed < tasks) {
      if (surprises.length > 0) assert.fail(surprises.join('\n'));
      if (performance.now() - lastProgress > STALL_MS) {
        assert.fail(`no task completed for ${STALL_MS} ms (${completed} of ${tasks} done)`);
      }
      if (killsDone < kills && completed >= killAt[killsDone]! && taking.size > 0) {
        const victims = [...taking];
        const victim = victims[Math.floor(random() * victims.length)]!;
        killed.add(victim.pid!);
        const exited = once(victim, 'exit');
        victim.kill('SIGKILL');
        await exited;
        killsDone++;
        startWorker();
        options.log?.(
          `killed worker ${victim.pid} at ${completed} tasks done (${killsDone}/${kills})`,
        );
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const values = await all;
    for (let id = 0; id < tasks; id++) assert.equal(values[id], id, `task ${id}'s value`);

    // The live workers close gracefully (exit code 0), then Redis is read. One still starting
    // has taken nothing and has no SIGTERM handler yet: it is killed.
    const exits = [...alive].map((child) => once(child, 'exit'));
    for (const child of alive) child.kill(taking.has(child) ? 'SIGTERM' : 'SIGKILL');
    await Promise.all(exits);
    if (surprises.length > 0) assert.fail(surprises.join('\n'));
    const prefix = `weft:{executor:${queue}}`;
    assert.equal(await raw.xlen(`${prefix}:stream`), 0, 'tasks left in the queue');
    assert.equal(await raw.hlen(`${prefix}:dead`), 0, 'dead letters');
    const ranByLive = new Uint8Array(tasks);
    const ranAtAll = new Uint8Array(tasks);
    let runs = 0;
    for (const pid of started) {
      const ids = await raw.smembers(`${runsKey}:${pid}`);
      runs += ids.length;
      for (const text of ids) {
        const id = Number(text);
        ranAtAll[id] = 1;
        if (killed.has(pid)) continue;
        assert.equal(ranByLive[id], 0, `task ${id} ran on two workers that were never killed`);
        ranByLive[id] = 1;
      }
    }
    assert.equal(ranAtAll.indexOf(0), -1, 'a task that never ran');
    return {
      tasks,
      kills: killsDone,
      workersStarted: started.length,
      reruns: runs - tasks,
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    for (const child of alive) child.kill('SIGKILL');
    await executor.shutdown({ cancelFutures: true });
    const ran = await raw.keys(`${runsKey}:*`).catch(() => []);
    if (ran.length > 0) await raw.del(...ran).catch(() => {});
    raw.disconnect();
  }
}
