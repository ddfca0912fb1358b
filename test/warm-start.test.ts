// warmStart(): a spare thread or process, booted ahead, serves the next start whose options
// allow it — the target runs with its arguments and handles, its result or exception comes
// back, and identity (name, ident, pid, currentThread(), currentProcess()) is the started
// one's — and a replacement boots behind it. Idle spares never keep the program alive nor
// outlive it, stop() ends them, and a worker importing a target's module cannot start any.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { after, afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Process, Queue, RuntimeError, Thread, type WarmStart, warmStart } from '../src/index.js';
import { importTargetModule } from '../src/portable/bootstrap.js';
import { spareProcesses } from '../src/process/spare-processes.js';
import { spareThreads } from '../src/thread/spare-threads.js';
import { putAll, selfReport } from './fixtures/process-targets.js';
import { add, type DiskFull, failDiskFull } from './fixtures/runner-targets.js';
import { whoAmI } from './fixtures/thread-targets.js';
import { childLimit } from './support/child-budget.js';
import { endProcesses, pidExists, run } from './support/process-helpers.js';

const execFileAsync = promisify(execFile);
// Guards against a hang, far beyond what starting a thread or process costs here now.
const WAIT = { timeout: await childLimit(60_000) };
/** The program below starts a spare process and a spare thread, then exits. */
const PROGRAM_MS = await childLimit(110_000);
/** A spare's orphan guard notices within a moment that its parent is gone. */
const ORPHAN_MS = await childLimit(30_000);

let warm: WarmStart | undefined;
afterEach(async () => {
  await warm?.stop();
  warm = undefined;
});
after(endProcesses);

/** Keeps spares, waits until they have booted, and returns the idle spares' workers. */
async function booted(options: { threads?: number; processes?: number }) {
  warm = warmStart(options);
  await warm.ready();
  return { threads: spareThreads.workers(), processes: spareProcesses.workers() };
}

describe('warmStart: threads', () => {
  test('a Thread runs its target in the spare, with its own name and ident, and a replacement boots', async () => {
    const { threads } = await booted({ threads: 1 });
    assert.equal(threads.length, 1);
    const spare = threads[0]!;
    const spareId = spare.threadId; // -1 once the worker has exited
    const thread = new Thread(whoAmI, { name: 'warm-one' });
    thread.start();
    assert.equal(thread.ident, spareId, 'the thread is the spare');
    assert.equal(spareThreads.workers().length, 0, 'the spare was taken');
    assert.equal(await thread.join(WAIT), true);
    const report = thread.result!;
    assert.equal(report.name, 'warm-one');
    assert.equal(report.ident, spareId);
    assert.equal(report.threadId, spareId);
    assert.equal(report.mainIdent, 0);
    assert.equal(report.alive, true);
    assert.equal(thread.exitCode, 0);
    await warm!.ready();
    const [replacement] = spareThreads.workers();
    assert.ok(replacement !== undefined && replacement !== spare, 'a new spare booted');
  });

  test('arguments, results and exceptions cross as in a cold thread', async () => {
    await booted({ threads: 1 });
    const sum = new Thread(add, { args: [2, 3] });
    sum.start();
    await sum.join(WAIT);
    assert.equal(sum.result, 5);
    await warm!.ready();
    const failing = new Thread(failDiskFull);
    failing.start();
    await failing.join(WAIT);
    assert.ok(failing.exception instanceof Error);
    assert.equal((failing.exception as DiskFull).name, 'DiskFull');
    assert.equal(failing.exitCode, 1);
  });

  test('a Thread with resourceLimits, or started after the environment changed, starts cold', async () => {
    const { threads } = await booted({ threads: 1 });
    const spareId = threads[0]!.threadId;
    const limited = new Thread(add, {
      args: [1, 1],
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    limited.start();
    assert.notEqual(limited.ident, spareId);
    await limited.join(WAIT);
    assert.equal(limited.result, 2);
    process.env.WEFT_WARM_TEST = 'changed';
    try {
      const later = new Thread(add, { args: [2, 2] });
      later.start();
      assert.notEqual(later.ident, spareId, 'the spare saw another environment');
      await later.join(WAIT);
      assert.equal(later.result, 4);
    } finally {
      delete process.env.WEFT_WARM_TEST;
    }
  });
});

describe('warmStart: processes', () => {
  test('a Process runs in the spare with its own name, pid and parent; handles cross', async () => {
    const { processes } = await booted({ processes: 1 });
    assert.equal(processes.length, 1);
    const spare = processes[0]!;
    const child = await run(new Process(selfReport, { name: 'warm-child' }));
    assert.equal(child.pid, spare.pid, 'the process is the spare');
    const report = child.result!;
    assert.equal(report.name, 'warm-child');
    assert.equal(report.pid, spare.pid);
    assert.equal(report.parentPid, process.pid);
    assert.equal(report.parentName, 'MainProcess');
    await warm!.ready();
    assert.equal(spareProcesses.workers().length, 1, 'a new spare booted');
    const queue = new Queue<number>();
    const producer = await run(new Process(putAll, { args: [queue, 3] }));
    assert.equal(producer.result, 3);
    assert.deepEqual([queue.getNowait(), queue.getNowait(), queue.getNowait()], [0, 1, 2]);
  });

  test('a Process with env or execArgv starts cold', async () => {
    const { processes } = await booted({ processes: 1 });
    const child = await run(new Process(add, { args: [1, 2], env: { ...process.env } }));
    assert.notEqual(child.pid, processes[0]!.pid);
    assert.equal(child.result, 3);
  });
});

describe('warmStart: spares', () => {
  test('stop() ends the idle spares', async () => {
    const { threads, processes } = await booted({ threads: 1, processes: 1 });
    const threadEnded = once(threads[0]!, 'exit');
    const pid = processes[0]!.pid!;
    await warm!.stop();
    warm = undefined;
    await threadEnded;
    assert.equal(pidExists(pid), false);
    assert.equal(spareThreads.workers().length, 0);
    assert.equal(spareProcesses.workers().length, 0);
  });

  test('idle spares do not keep the program alive, and the spare process does not outlive it', async () => {
    const script = fileURLToPath(new URL('./fixtures/warm-idle-exit.ts', import.meta.url));
    const { stdout } = await execFileAsync(process.execPath, [...process.execArgv, script], {
      timeout: PROGRAM_MS,
    });
    const { pid, threads } = JSON.parse(stdout) as { pid: number; threads: number };
    assert.equal(threads, 1);
    // Its orphan guard ends it within a moment of its parent's exit.
    for (let waited = 0; pidExists(pid) && waited < ORPHAN_MS; waited += 100) await sleep(100);
    assert.equal(pidExists(pid), false, 'the spare process outlived its parent');
  });

  test('refused at the top level of a module a worker imports to find its target', async () => {
    const module = new URL('./fixtures/warm-at-import.ts', import.meta.url).href;
    await assert.rejects(importTargetModule(module), (error: unknown) => {
      assert.ok(error instanceof RuntimeError);
      assert.match(error.message, /warmStart\(\) was refused/);
      assert.match(error.message, /isMainModule/);
      return true;
    });
    assert.equal(spareThreads.workers().length, 0);
  });

  test('ready() takes { timeout, signal }: an aborted wait rejects with the reason and leaves the spares', async () => {
    warm = warmStart({ threads: 1 });
    const reason = new Error('no longer needed');
    await assert.rejects(
      warm.ready({ signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    const controller = new AbortController();
    const waiting = warm.ready({ signal: controller.signal });
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    await assert.rejects(warm.ready({ timeout: -1 }), RangeError);
    assert.equal(await warm.ready(WAIT), true);
    assert.equal(spareThreads.workers().length, 1);
  });

  test('bad options are refused at the call', () => {
    assert.throws(() => warmStart({ threads: -1 }), RangeError);
    assert.throws(() => warmStart({ threads: 1.5 }), /whole number/);
    assert.throws(() => warmStart({ processes: '1' as unknown as number }), TypeError);
    assert.throws(() => warmStart({ thread: 1 } as never), /unknown option "thread"/);
    assert.throws(() => warmStart(null as never), /options must be an object/);
    assert.equal(spareThreads.workers().length, 0);
  });
});
