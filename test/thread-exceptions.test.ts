// What happens when a thread's target fails, after CPython's test_threading (excepthook tests,
// SystemExit in a thread): the exception is kept with its class, message, stack, cause and fields;
// the thread ends and join() resolves true; an exception nobody reads is reported once as a
// process warning; process.exit() in a thread ends it quietly, as sys.exit() does in Python.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Thread } from '../src/index.js';
import { hiddenRef } from './fixtures/portable-fns.js';
import {
  exitWith,
  failAsync,
  failDiskFull,
  gate,
  returnFunction,
  throwInTimer,
  throwUncloneable,
  waitForRelease,
  whenRunning,
} from './fixtures/thread-targets.js';
import { warningsDuring as collectWarnings } from './support/warnings.js';

const TARGETS = new URL('./fixtures/thread-targets.ts', import.meta.url).href;

const started: Thread[] = [];
after(async () => {
  await Promise.all(started.map((thread) => (thread.isAlive() ? thread.terminate() : undefined)));
});

async function run<T extends Thread<never>>(thread: T): Promise<T> {
  started.push(thread as unknown as Thread);
  thread.start();
  assert.equal(await thread.join({ timeout: 10_000 }), true);
  return thread;
}

/** Collects weft's unread-thread-exception warnings while `body` runs, and a few turns after. */
function warningsDuring(body: () => Promise<void>): Promise<Error[]> {
  return collectWarnings('WEFT_UNOBSERVED_THREAD_ERROR', body);
}

describe('Thread: exceptions', () => {
  test("keep the error's class name, message, stack, cause and own fields", async () => {
    const thread = await run(new Thread(failDiskFull));
    const error = thread.exception as Error & { code: string; bytes: number };
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'DiskFull');
    assert.equal(error.message, 'no space left on device');
    assert.equal(error.code, 'ENOSPC');
    assert.equal(error.bytes, 4096);
    assert.match(error.stack!, /failDiskFull/);
    assert.match(error.stack!, /thread-targets\.ts/);
    assert.ok(error.cause instanceof RangeError);
    assert.equal((error.cause as Error).message, 'quota exceeded');
    assert.equal(thread.result, undefined);
    assert.equal(thread.exitCode, 1);
    assert.equal(thread.isAlive(), false);
  });

  test('a rejected promise of an async target is its exception, built-in classes as themselves', async () => {
    const thread = await run(new Thread(failAsync));
    assert.ok(thread.exception instanceof TypeError);
    assert.equal((thread.exception as Error).message, 'bad input');
  });

  test('an error thrown where the target cannot catch it (a timer) ends the thread with it', async () => {
    const thread = await run(new Thread(throwInTimer));
    assert.ok(thread.exception instanceof RangeError);
    assert.equal((thread.exception as Error).message, 'thrown from a timer');
    assert.equal(thread.exitCode, 1);
  });

  test('process.exit(n) in the target ends the thread quietly with exit code n', async () => {
    const warnings = await warningsDuring(async () => {
      const thread = await run(new Thread(exitWith, { args: [3] }));
      assert.equal(thread.exitCode, 3);
      assert.equal(thread.exception, undefined);
      assert.equal(thread.result, undefined);
    });
    assert.deepEqual(warnings, []);
  });

  test('a return value that cannot cross back is a TypeError saying so', async () => {
    const thread = await run(new Thread(returnFunction));
    assert.ok(thread.exception instanceof TypeError);
    assert.match((thread.exception as Error).message, /return value/);
  });

  test('a thrown value that cannot cross back becomes a TypeError saying so', async () => {
    const thread = await run(new Thread(throwUncloneable));
    assert.ok(thread.exception instanceof TypeError);
    assert.match((thread.exception as Error).message, /cannot cross back/);
  });

  test('a missing export, or a portable function that is not exported, fails the thread', async () => {
    const missing = await run(new Thread({ module: TARGETS, name: 'nope' }));
    assert.ok(missing.exception instanceof TypeError);
    assert.match((missing.exception as Error).message, /no function export named "nope"/);
    const hidden = await run(new Thread(hiddenRef.fn));
    assert.ok(hidden.exception instanceof TypeError);
    assert.match((hidden.exception as Error).message, /not exported/);
  });
});

describe('Thread: exceptions nobody reads', () => {
  test('are reported once, as an UnobservedThreadError warning naming the thread', async () => {
    const warnings = await warningsDuring(async () => {
      const thread = new Thread(failDiskFull, { name: 'excepthook thread' });
      started.push(thread as unknown as Thread);
      thread.start();
      await thread.join();
    });
    assert.equal(warnings.length, 1);
    const warning = warnings[0]!;
    assert.equal(warning.name, 'UnobservedThreadError');
    assert.match(warning.message, /Exception in thread excepthook thread/);
    assert.match(warning.message, /DiskFull: no space left on device/);
    assert.equal((warning.cause as Error).name, 'DiskFull');
  });

  test('are not reported when read after join', async () => {
    const warnings = await warningsDuring(async () => {
      const thread = await run(new Thread(failAsync));
      assert.ok(thread.exception instanceof TypeError);
    });
    assert.deepEqual(warnings, []);
  });

  test('a successful or terminated thread is never reported', async () => {
    const warnings = await warningsDuring(async () => {
      const flags = gate();
      const thread = new Thread(waitForRelease, { args: [flags] });
      started.push(thread as unknown as Thread);
      thread.start();
      await whenRunning(flags);
      await thread.terminate();
    });
    assert.deepEqual(warnings, []);
  });
});
