// Thread passes the runner contract (test/contracts/runner-contract.ts). What only a thread
// does, after CPython's test_threading: its ident is the worker's threadId, it can be renamed
// while it runs, its repr, the daemon flag it inherits inside a daemon thread, V8 resource
// limits, and transfers a moved buffer can fail. Daemon threads and process exit:
// thread-daemon.test.ts; the thread table: thread-registry.test.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { move, Thread, WorkerCrashedError } from '../src/index.js';
import { runnerContract } from './contracts/runner-contract.js';
import {
  allocateForever,
  daemonOfNewThread,
  gate,
  nameAfterRelease,
  nothing,
  release,
  sumBytes,
  throwUncloneable,
  waitForRelease,
  whenRunning,
  whoAmI,
} from './fixtures/thread-targets.js';
import { WORKER_SUITE } from './support/async-helpers.js';
import { runnerTracker, threadRunner } from './support/runners.js';

runnerContract(threadRunner);

describe('Thread: what only threads do', WORKER_SUITE, () => {
  const { run, started, track, end } = runnerTracker();
  after(end);

  test('the thread sees its own ident, which is its worker threadId', async () => {
    const thread = await run(new Thread(whoAmI, { name: 'worker one', daemon: true }));
    const seen = thread.result!;
    assert.equal(seen.name, 'worker one');
    assert.equal(seen.ident, thread.ident);
    assert.equal(seen.threadId, thread.ident);
    assert.notEqual(thread.ident, 0); // 0 is the main thread
  });

  test('renaming a running thread is seen inside it', async () => {
    const flags = gate();
    const thread = started(new Thread(nameAfterRelease, { args: [flags], name: 'before' }));
    await whenRunning(flags);
    thread.name = 'after';
    release(flags);
    await thread.join();
    assert.equal(thread.result, 'after');
    assert.equal(thread.name, 'after');
  });

  test("repr follows Python's: initial, started with ident, stopped, daemon", async () => {
    const flags = gate();
    const thread = track(new Thread(waitForRelease, { args: [flags], name: 'r', daemon: true }));
    assert.equal(String(thread), '<Thread(r, initial daemon)>');
    thread.start();
    assert.equal(String(thread), `<Thread(r, started daemon ${thread.ident})>`);
    release(flags);
    await thread.join();
    assert.equal(String(thread), `<Thread(r, stopped daemon ${thread.ident})>`);
    assert.equal(String(new Thread(nothing, { name: 'n' })), '<Thread(n, initial)>');
  });

  test('the daemon flag defaults to true inside a daemon thread', async () => {
    const inside = await run(new Thread(daemonOfNewThread, { daemon: true }));
    assert.equal(inside.result, true);
  });

  // A Process cannot report this: Process.start() throws the serializer's raw TypeError
  // ("Cannot perform Construct on a detached ArrayBuffer") instead of failing the process.
  test('a moved buffer detached before start() fails the thread instead of vanishing', async () => {
    const bytes = new Uint8Array([1, 2]);
    const thread = new Thread(sumBytes, { args: [move(bytes)] });
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] }); // moved elsewhere meanwhile
    await run(thread);
    assert.equal((thread.exception as Error).name, 'DataCloneError');
    assert.equal(thread.exitCode, 1);
  });

  // A Process cannot report this: its exception is undefined (exit code 1, nothing kept).
  test('a thrown value that cannot cross back becomes a TypeError saying so', async () => {
    const thread = await run(new Thread(throwUncloneable));
    assert.ok(thread.exception instanceof TypeError);
    assert.match((thread.exception as Error).message, /cannot cross back/);
  });

  test('a thread that runs out of its heap ends with WorkerCrashedError', async () => {
    const thread = await run(
      new Thread(allocateForever, {
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      }),
    );
    const error = thread.exception as Error;
    assert.ok(error instanceof WorkerCrashedError, String(error));
    assert.match(error.message, /out of memory/i);
    assert.equal((error.cause as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
    assert.notEqual(thread.exitCode, 0);
  });
});
