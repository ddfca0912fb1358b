// currentThread(), mainThread(), enumerate() and activeCount() in the main thread and inside
// threads, after CPython's test_threading (test_main_thread, test_enumerate_after_join,
// test_joining_current_thread, test_foreign_thread): every thread sees the whole process's live
// threads, including threads started inside other threads, and can join them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import {
  activeCount,
  currentThread,
  enumerate,
  mainThread,
  RuntimeError,
  Thread,
} from '../src/index.js';
import { startWorker } from '../src/portable/worker-start.js';
import {
  census,
  gate,
  joinByIdent,
  joinMainAndSelf,
  nothing,
  release,
  renameSelf,
  startAndReturn,
  startNested,
  waitForRelease,
  whenRunning,
  whoAmI,
} from './fixtures/thread-targets.js';
import { shareChildLimit } from './support/child-budget.js';

// How long a thread may take, from what starting one costs here now (a busy machine waits
// longer); the threads' own waits (test/fixtures/thread-targets.ts) are the same.
const WAIT = { timeout: await shareChildLimit(10_000) };

const started: Thread[] = [];
function track<T extends Thread<never>>(thread: T): T {
  started.push(thread as unknown as Thread);
  return thread;
}
after(async () => {
  await Promise.all(started.map((thread) => (thread.isAlive() ? thread.terminate() : undefined)));
});

async function run<T extends Thread<never>>(thread: T): Promise<T> {
  track(thread).start();
  assert.equal(await thread.join(WAIT), true);
  return thread;
}

/** A started thread that runs until `release(flags)`. */
async function blocked(name: string): Promise<{ thread: Thread; flags: Int32Array }> {
  const flags = gate();
  const thread = track(new Thread(waitForRelease, { args: [flags], name })) as unknown as Thread;
  thread.start();
  await whenRunning(flags);
  return { thread, flags };
}

describe('threads registry: the main thread', () => {
  test('mainThread() is MainThread, ident 0, alive, not a daemon; currentThread() is it', () => {
    const main = mainThread();
    assert.equal(main.name, 'MainThread');
    assert.equal(main.ident, 0);
    assert.equal(main.ident, threadId);
    assert.equal(main.daemon, false);
    assert.equal(main.isAlive(), true);
    assert.equal(currentThread(), main);
    assert.equal(String(main), '<_MainThread(MainThread, started 0)>');
  });

  test('joining the current thread rejects with RuntimeError', async () => {
    await assert.rejects(currentThread().join(), RuntimeError);
    await assert.rejects(currentThread().join({ timeout: 0 }), RuntimeError);
  });

  test('the main thread can be renamed, and threads see the new name', async () => {
    mainThread().name = 'Main Renamed';
    try {
      const thread = await run(new Thread(whoAmI));
      assert.equal(thread.result!.mainName, 'Main Renamed');
    } finally {
      mainThread().name = 'MainThread';
    }
  });
});

describe('threads registry: enumerate and activeCount', () => {
  test('list the main thread and every started thread (the same objects) until each ends', async () => {
    const before = activeCount();
    const one = await blocked('one');
    const two = await blocked('two');
    const live = enumerate();
    assert.equal(live[0], mainThread());
    assert.ok(live.includes(one.thread));
    assert.ok(live.includes(two.thread));
    assert.equal(activeCount(), before + 2);
    release(one.flags);
    await one.thread.join();
    assert.ok(!enumerate().includes(one.thread));
    assert.ok(enumerate().includes(two.thread));
    release(two.flags);
    await two.thread.join();
    assert.equal(activeCount(), before);
  });

  test('a joined thread is never listed any more (test_enumerate_after_join)', async () => {
    for (let i = 0; i < 10; i++) {
      const thread = track(new Thread(nothing));
      thread.start();
      await thread.join();
      assert.ok(!enumerate().includes(thread), `round ${i}`);
    }
  });

  test('a started thread is listed at once, before its worker runs', () => {
    const thread = track(new Thread(nothing));
    thread.start();
    assert.ok(enumerate().includes(thread));
    return thread.join().then(() => undefined);
  });
});

describe('threads registry: inside a thread', () => {
  test('currentThread() describes the thread; mainThread() is the main thread, not it', async () => {
    const thread = await run(new Thread(whoAmI, { name: 'inside' }));
    const seen = thread.result!;
    assert.equal(seen.name, 'inside');
    assert.equal(seen.ident, thread.ident);
    assert.equal(seen.mainIdent, 0);
    assert.equal(seen.mainName, 'MainThread');
    assert.notEqual(seen.mainIdent, seen.ident);
    assert.equal(seen.currentIsMain, false);
    assert.equal(seen.repr, `<Thread(inside, started ${thread.ident})>`);
  });

  test('enumerate() inside lists the main thread, itself and the other live threads', async () => {
    const sibling = await blocked('sibling');
    const thread = await run(new Thread(census, { name: 'counter' }));
    const seen = thread.result!;
    assert.deepEqual(seen.names, ['MainThread', 'sibling', 'counter']);
    assert.deepEqual(seen.idents, [0, sibling.thread.ident, thread.ident]);
    assert.equal(seen.count, 3);
    assert.equal(seen.sameObjects, true);
    release(sibling.flags);
    await sibling.thread.join();
  });

  test('a thread renaming itself is seen by its parent, during and after its run', async () => {
    const thread = await run(new Thread(renameSelf, { args: ['renamed inside'] }));
    assert.equal(thread.result, 'renamed inside');
    assert.equal(thread.name, 'renamed inside');
  });

  test('names longer than the shared table keeps stay whole where they are known', async () => {
    const long = `long-${'x'.repeat(400)}`;
    const thread = await run(new Thread(whoAmI, { name: long }));
    assert.equal(thread.result!.name, long);
    assert.equal(thread.name, long);
  });

  test('threads started inside a thread are seen everywhere, with unique default names', async () => {
    const thread = await run(new Thread(startNested, { name: 'outer' }));
    const { inner, innerCensus, outer } = thread.result!;
    assert.match(inner.name, /^Thread-\d+ \(whoAmI\)$/);
    assert.notEqual(inner.ident, thread.ident);
    assert.deepEqual(innerCensus.names.slice(0, 2), ['MainThread', 'outer']);
    assert.match(innerCensus.names[2]!, /^Thread-\d+ \(census\)$/);
    assert.deepEqual(outer.names, ['MainThread', 'outer']);
  });

  test('a worker can join another thread it finds in enumerate()', async () => {
    const other = await blocked('other');
    const found = gate();
    const joiner = track(new Thread(joinByIdent, { args: [other.thread.ident!, found] }));
    joiner.start();
    await whenRunning(found);
    assert.equal(await joiner.join({ timeout: 20 }), false); // waits for `other`
    release(other.flags);
    assert.equal(await joiner.join(), true);
    assert.deepEqual(joiner.result, { found: true, joined: true, alive: false });
  });

  test('inside a thread, joining the main thread times out and joining itself is refused', async () => {
    const thread = await run(new Thread(joinMainAndSelf));
    assert.deepEqual(thread.result, { main: false, self: 'RuntimeError' });
  });
});

describe('threads registry: threads started inside threads', () => {
  test('the main thread sees a nested thread, and the outer thread lives until it ends', async () => {
    const flags = gate();
    const outer = track(new Thread(startAndReturn, { args: [flags, false], name: 'outer' }));
    outer.start();
    await whenRunning(flags);
    const inner = enumerate().find((t) => t.name === 'inner');
    assert.ok(inner !== undefined);
    assert.ok(!(inner instanceof Thread)); // a view: the main thread did not start it
    assert.equal(inner.isAlive(), true);
    assert.equal(inner.daemon, false);
    // The outer target has returned, but a non-daemon thread inside it still runs.
    assert.equal(await outer.join({ timeout: 20 }), false);
    assert.equal(await inner.join({ timeout: 0 }), false);
    const innerJoined = inner.join();
    release(flags);
    assert.equal(await innerJoined, true);
    assert.equal(inner.isAlive(), false);
    assert.equal(await outer.join(), true);
    assert.equal(typeof outer.result, 'number'); // the inner ident
    assert.ok(!enumerate().includes(inner));
  });

  test('a daemon thread inside ends with the thread that started it; it is not waited for', async () => {
    const flags = gate();
    const outer = await run(new Thread(startAndReturn, { args: [flags, true] }));
    const innerIdent = outer.result as number;
    assert.ok(!enumerate().some((t) => t.ident === innerIdent));
  });
});

describe('threads registry: a worker weft did not start', () => {
  test('sees itself as a daemon Dummy thread, and the main thread', async () => {
    const worker = startWorker(new URL('./fixtures/thread-foreign.ts', import.meta.url), {
      workerData: {},
    });
    try {
      const [seen] = (await once(worker, 'message')) as [
        { name: string; ident: number; daemon: boolean; alive: boolean; main: unknown[] },
      ];
      assert.match(seen.name, /^Dummy-\d+$/);
      assert.equal(seen.ident, worker.threadId);
      assert.equal(seen.daemon, true);
      assert.equal(seen.alive, true);
      assert.deepEqual(seen.main, ['MainThread', 0]);
    } finally {
      await worker.terminate();
    }
  });
});
