// Thread lifecycle, after CPython's test_threading (start twice, join before start, join with a
// timeout, is_alive, names, ident, the daemon flag, repr), plus weft's result, exitCode,
// terminate and the checks made at the call. Targets live in a TypeScript fixture module.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { move, Queue, RuntimeError, Thread, WorkerCrashedError } from '../src/index.js';
import { plain, renamed } from './fixtures/portable-fns.js';
import {
  add,
  allocateForever,
  daemonOfNewThread,
  echo,
  gate,
  leaveTimer,
  nameAfterRelease,
  neverEnds,
  nothing,
  produce,
  release,
  slowMultiply,
  sumBytes,
  waitForRelease,
  whenRunning,
  whoAmI,
} from './fixtures/thread-targets.js';

const TARGETS = new URL('./fixtures/thread-targets.ts', import.meta.url).href;

// Every thread a test starts is ended here too, even when the test fails half-way.
const started: Thread[] = [];
function track<T extends Thread<never>>(thread: T): T {
  started.push(thread as unknown as Thread);
  return thread;
}
after(async () => {
  await Promise.all(started.map((thread) => (thread.isAlive() ? thread.terminate() : undefined)));
});

/** Starts a thread and waits for it to end. */
async function run<T extends Thread<never>>(thread: T): Promise<T> {
  track(thread).start();
  assert.equal(await thread.join({ timeout: 10_000 }), true);
  return thread;
}

describe('Thread: running a target', () => {
  test('runs a TypeScript target with its arguments and keeps its return value', async () => {
    const thread = await run(new Thread(add, { args: [2, 3] }));
    assert.equal(thread.result, 5);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.exitCode, 0);
  });

  test("awaits an async target's promise", async () => {
    const thread = await run(new Thread(slowMultiply, { args: [6, 7] }));
    assert.equal(thread.result, 42);
  });

  test('accepts { module, name } as the target', async () => {
    const thread = await run(new Thread({ module: TARGETS, name: 'add' }, { args: [40, 2] }));
    assert.equal(thread.result, 42);
  });

  test('a portable arrow function, which has no name of its own, is found by its export', async () => {
    const thread = await run(new Thread(renamed, { args: ['abc'] }));
    assert.equal(thread.result, 'ABC');
  });

  test('arguments arrive as structured clones, nested lists and tuples alike', async () => {
    const when = new Date(0);
    const args = [[1], ['str'], { nested: [1, [2]] }, new Map([['k', 1]]), when, undefined];
    const thread = await run(new Thread(echo, { args }));
    assert.deepEqual(thread.result, args);
  });

  test('a moved buffer is transferred into the thread, not copied', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const thread = new Thread(sumBytes, { args: [move(bytes)] });
    await run(thread);
    assert.equal(thread.result, 10);
    assert.equal(bytes.byteLength, 0); // detached here
  });

  test('a moved buffer detached before start() fails the thread instead of vanishing', async () => {
    const bytes = new Uint8Array([1, 2]);
    const thread = new Thread(sumBytes, { args: [move(bytes)] });
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] }); // moved elsewhere meanwhile
    await run(thread);
    assert.equal((thread.exception as Error).name, 'DataCloneError');
    assert.equal(thread.exitCode, 1);
  });

  test("a weft Queue passed as an argument is used through a handle on the parent's queue", async () => {
    const queue = new Queue<number>(1);
    const thread = track(new Thread(produce, { args: [queue, 3] }));
    thread.start();
    assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], [0, 1, 2]);
    assert.equal(await thread.join(), true);
    assert.equal(thread.result, 'produced');
  });

  test('a target that returns nothing gives undefined', async () => {
    const thread = await run(new Thread(nothing));
    assert.equal(thread.result, undefined);
    assert.equal(thread.exitCode, 0);
  });

  test('the thread ends when its target returns, even with a timer left running', async () => {
    const thread = await run(new Thread(leaveTimer));
    assert.equal(thread.result, 'returned');
    assert.equal(thread.isAlive(), false);
  });
});

describe('Thread: lifecycle', () => {
  test('start() twice throws RuntimeError; the thread still runs once', async () => {
    const thread = track(new Thread(add, { args: [1, 1] }));
    thread.start();
    assert.throws(() => thread.start(), RuntimeError);
    assert.equal(await thread.join(), true);
    assert.equal(thread.result, 2);
    assert.throws(() => thread.start(), RuntimeError);
  });

  test('join() and terminate() before start() reject with RuntimeError', async () => {
    const thread = new Thread(nothing);
    await assert.rejects(thread.join(), RuntimeError);
    await assert.rejects(thread.join({ timeout: 0 }), RuntimeError);
    await assert.rejects(thread.terminate(), RuntimeError);
  });

  test('isAlive: false before start, true while running, false once joined', async () => {
    const flags = gate();
    const thread = track(new Thread(waitForRelease, { args: [flags] }));
    assert.equal(thread.isAlive(), false);
    thread.start();
    assert.equal(thread.isAlive(), true);
    await whenRunning(flags);
    assert.equal(thread.isAlive(), true);
    release(flags);
    assert.equal(await thread.join(), true);
    assert.equal(thread.isAlive(), false);
    assert.equal(thread.result, 'released');
  });

  test('join({ timeout }) resolves false while the thread runs, true once it ended', async () => {
    const flags = gate();
    const thread = track(new Thread(waitForRelease, { args: [flags] }));
    thread.start();
    await whenRunning(flags);
    assert.equal(await thread.join({ timeout: 20 }), false);
    assert.equal(await thread.join({ timeout: 0 }), false);
    assert.equal(thread.isAlive(), true);
    release(flags);
    assert.equal(await thread.join({ timeout: 10_000 }), true);
    assert.equal(await thread.join({ timeout: 0 }), true);
  });

  test('join: bad options reject; an aborted signal rejects with its reason', async () => {
    const flags = gate();
    const thread = track(new Thread(waitForRelease, { args: [flags] }));
    thread.start();
    await assert.rejects(thread.join({ timeout: -1 }), RangeError);
    await assert.rejects(thread.join({ timeout: Number.NaN }), TypeError);
    const reason = new Error('stop waiting');
    await assert.rejects(thread.join({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    const controller = new AbortController();
    const waiting = thread.join({ signal: controller.signal });
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    release(flags);
    assert.equal(await thread.join(), true);
  });

  test('terminate() stops a running thread: no result, no exception, exit code 1', async () => {
    const thread = track(new Thread(neverEnds));
    thread.start();
    const joined = thread.join();
    await thread.terminate();
    assert.equal(await joined, true);
    assert.equal(thread.isAlive(), false);
    assert.equal(thread.exitCode, 1);
    assert.equal(thread.result, undefined);
    assert.equal(thread.exception, undefined);
    await thread.terminate(); // once ended, nothing more to do
  });

  test('exitCode, result and exception stay unset until the thread has ended', async () => {
    const flags = gate();
    const thread = track(new Thread(waitForRelease, { args: [flags] }));
    assert.equal(thread.exitCode, null);
    thread.start();
    await whenRunning(flags);
    assert.equal(thread.exitCode, null);
    assert.equal(thread.result, undefined);
    release(flags);
    await thread.join();
    assert.equal(thread.exitCode, 0);
    assert.equal(thread.result, 'released');
  });
});

describe('Thread: names and ident', () => {
  test('default names count across the process and name the target, as Thread-N (target)', () => {
    const first = new Thread(add);
    const second = new Thread({ module: TARGETS, name: 'echo' });
    const a = /^Thread-(\d+) \(add\)$/.exec(first.name);
    const b = /^Thread-(\d+) \(echo\)$/.exec(second.name);
    assert.ok(a && b, `${first.name} / ${second.name}`);
    assert.equal(Number(b[1]), Number(a[1]) + 1);
  });

  test('a given name is used as it is; an empty name gets the default; numbers become strings', () => {
    assert.equal(new Thread(add, { name: 'myname1' }).name, 'myname1');
    assert.equal(new Thread(add, { name: 123 as unknown as string }).name, '123');
    assert.match(new Thread(add, { name: '' }).name, /^Thread-\d+ \(add\)$/);
  });

  test('the thread sees its own name, ident and daemon flag', async () => {
    const thread = await run(new Thread(whoAmI, { name: 'worker one', daemon: true }));
    const seen = thread.result!;
    assert.equal(seen.name, 'worker one');
    assert.equal(seen.ident, thread.ident);
    assert.equal(seen.threadId, thread.ident);
    assert.equal(seen.daemon, true);
    assert.equal(seen.alive, true);
  });

  test('renaming a running thread is seen inside it', async () => {
    const flags = gate();
    const thread = track(new Thread(nameAfterRelease, { args: [flags], name: 'before' }));
    thread.start();
    await whenRunning(flags);
    thread.name = 'after';
    release(flags);
    await thread.join();
    assert.equal(thread.result, 'after');
    assert.equal(thread.name, 'after');
  });

  test('ident: undefined before start, the worker threadId after, kept once ended; distinct', async () => {
    const one = new Thread(nothing);
    const two = new Thread(nothing);
    assert.equal(one.ident, undefined);
    await run(one);
    await run(two);
    assert.equal(typeof one.ident, 'number');
    assert.notEqual(one.ident, 0); // 0 is the main thread
    assert.notEqual(one.ident, two.ident);
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
});

describe('Thread: daemon flag', () => {
  test('defaults to the creating thread: false in the main thread, true inside a daemon thread', async () => {
    assert.equal(new Thread(nothing).daemon, false);
    assert.equal(new Thread(nothing, { daemon: false }).daemon, false);
    assert.equal(new Thread(nothing, { daemon: true }).daemon, true);
    const inside = await run(new Thread(daemonOfNewThread, { daemon: true }));
    assert.equal(inside.result, true);
  });

  test('can be set before start, not after (RuntimeError); only booleans', async () => {
    const thread = track(new Thread(nothing));
    thread.daemon = true;
    assert.equal(thread.daemon, true);
    assert.throws(() => {
      thread.daemon = 1 as unknown as boolean;
    }, TypeError);
    thread.start();
    assert.throws(() => {
      thread.daemon = false;
    }, RuntimeError);
    await thread.join();
    assert.equal(thread.daemon, true);
  });
});

describe('Thread: checks at the call', () => {
  test('an unmarked function or a bad target is refused with a TypeError saying how to fix it', () => {
    assert.throws(
      () => new Thread(plain as never),
      /export const plain = portable\(import\.meta\.url/,
    );
    assert.throws(() => new Thread((() => 1) as never), TypeError);
    assert.throws(() => new Thread({ module: TARGETS } as never), /\{ module, name \}/);
  });

  test('an argument that cannot cross is refused at construction, naming it', () => {
    assert.throws(
      () => new Thread(echo, { args: [1, () => 2] }),
      (e: Error) => e instanceof TypeError && /argument 1/.test(e.message),
    );
    assert.throws(() => new Thread(echo, { args: 'ab' as never }), /args must be an array/);
    assert.throws(() => new Thread(echo, { daemon: 'yes' as never }), /daemon must be a boolean/);
    assert.throws(() => new Thread(echo, null as never), /options must be an object/);
  });
});

describe('Thread: resource limits', () => {
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
