// A Manager's dict, list and namespace passed to real threads (Thread and ThreadPoolExecutor
// arguments): every update made through the handles is seen at the owner, shutdown reaches
// handles in other threads, and a dict whose owner ended fails instead of hanging. The
// seed's Manager example and CPython's test_multiprocessing manager tests, in our words.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  HandleClosedError,
  Manager,
  RuntimeError,
  type SharedDict,
  Thread,
  ThreadPoolExecutor,
} from '../src/index.js';
import {
  addUnderLock,
  appendAndCount,
  blockOnQueueAndBarrier,
  dictOfAManagerThatEnds,
  nestedAndRefused,
  tally,
  useAfterShutdown,
} from './fixtures/manager-targets.js';
import { until, WORKER_SUITE } from './support/async-helpers.js';

const OPTIONS = WORKER_SUITE;
const threads: Thread[] = [];
const managers: Manager[] = [];
/** One pool for the tests of pool tasks: starting a worker thread is what costs here. */
const pool = new ThreadPoolExecutor({ maxWorkers: 3 });

after(async () => {
  for (const manager of managers) manager.shutdown();
  await pool.shutdown();
  await Promise.all(threads.map((thread) => (thread.isAlive() ? thread.terminate() : undefined)));
});

function manager(): Manager {
  const made = new Manager();
  managers.push(made);
  return made;
}

/** Starts a thread on `target`; terminated after the file if a test leaves it running. */
function started<A extends unknown[]>(target: (...args: A) => unknown, ...args: A): Thread {
  const thread = new Thread(target as never, { args: args as never });
  threads.push(thread);
  thread.start();
  return thread;
}

/** Joins `thread` and returns its result, rethrowing what its target threw. */
async function resultOf<R>(thread: Thread): Promise<R> {
  await thread.join();
  if (thread.exception !== undefined) throw thread.exception;
  return thread.result as R;
}

describe('Manager objects in worker threads', OPTIONS, () => {
  test('ten threads append 100 items each to one list and count them in one dict: all 1000 are there', async () => {
    const shared = manager();
    const items = shared.list<string>();
    const counts = shared.dict<string, number>();
    const workers = Array.from({ length: 10 }, (_, worker) =>
      started(appendAndCount, worker, 100, items, counts),
    );
    assert.deepEqual(
      await Promise.all(workers.map((thread) => resultOf(thread))),
      Array(10).fill(100),
    );
    assert.equal(await items.length(), 1000);
    const expected = Array.from({ length: 10 }, (_, w) =>
      Array.from({ length: 100 }, (_, i) => `${w}:${i}`),
    ).flat();
    assert.deepEqual((await items.toArray()).sort(), expected.sort());
    assert.equal(await counts.get('total'), 1000, 'no increment was lost');
    for (let worker = 0; worker < 10; worker++) {
      assert.equal(await counts.get(`worker ${worker}`), 100);
    }
    // Each worker's own appends stay in its order: one message is one append, in call order.
    const fromWorker3 = (await items.toArray()).filter((item) => item.startsWith('3:'));
    assert.deepEqual(
      fromWorker3,
      Array.from({ length: 100 }, (_, i) => `3:${i}`),
    );
  });

  test('read-modify-write under a manager lock, from ten pool tasks, loses no update', async () => {
    const shared = manager();
    const state = shared.namespace({ total: 0 });
    const lock = shared.lock();
    const tasks = Array.from({ length: 10 }, () =>
      pool.submit(addUnderLock, 20, state, lock as never),
    );
    await Promise.all(tasks.map((task) => task.result()));
    assert.equal(await state.get('total'), 200);
    // A worker may still hold the lock on loan, idle: the owner sees it free once told.
    await until(() => !lock.locked(), 'the workers’ last releases reached the owner');
  });

  test('pool tasks update one dict and one namespace: every count is exact', async () => {
    const shared = manager();
    const counts = shared.dict<string, number>();
    const state = shared.namespace({ words: 0 });
    const texts = Array.from({ length: 12 }, (_, i) => ['a', 'b', i % 2 === 0 ? 'even' : 'odd']);
    const futures = texts.map((words) => pool.submit(tally, words, counts, state));
    const seen = await Promise.all(futures.map((future) => future.result()));
    assert.deepEqual(Object.fromEntries(await counts.entries()), { a: 12, b: 12, even: 6, odd: 6 });
    assert.equal(await state.get('words'), 36);
    // increment answers with the value it made: each task saw a different total.
    assert.equal(new Set(seen).size, 12);
    assert.equal(Math.max(...seen), 36);
  });

  test('nested: a list of lists and a dict inside an object argument cross; a function is refused at the call', async () => {
    const shared = manager();
    const inner = shared.list([1, 2]);
    const lists = shared.list([inner]);
    const dict = shared.dict<string, unknown>();
    const thread = started(nestedAndRefused, { dict, lists });
    const { inner: seen, refused } = await resultOf<{ inner: number[]; refused: string }>(thread);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(await inner.toArray(), [1, 2, 3], 'the append reached the very list');
    assert.match(refused, /^TypeError: SharedDict\.set: argument 1 is function/);
    assert.equal(await dict.has('callback'), false);
  });

  test('after shutdown, a handle in another thread rejects with a RuntimeError naming the manager', async () => {
    const shared = new Manager({ name: 'scoreboard' });
    managers.push(shared);
    const scores = shared.dict({ ada: 1 });
    const go = shared.event();
    const ready = shared.event();
    const thread = started(useAfterShutdown, go as never, ready as never, scores as never);
    await ready.wait();
    shared.shutdown();
    go.set(); // the manager's events go on working for whoever holds them
    const { before, error } = await resultOf<{ before: number; error: string }>(thread);
    assert.equal(before, 1);
    assert.equal(
      error,
      'RuntimeError: SharedDict.set(): scoreboard was shut down, and its dicts, lists and namespaces with it',
    );
    await assert.rejects(scores.get('ada'), RuntimeError);
  });

  test("shutdown ends a thread's for-await over a manager queue and breaks a barrier it waits on", async () => {
    const shared = manager();
    const queue = shared.queue<number>();
    const barrier = shared.barrier(2);
    const ready = shared.event();
    const thread = started(
      blockOnQueueAndBarrier,
      queue as never,
      barrier as never,
      ready as never,
    );
    await ready.wait();
    await queue.put(1);
    await queue.put(2);
    assert.equal(await queue.join(), true);
    shared.shutdown();
    assert.deepEqual(await resultOf(thread), [
      'items 1,2',
      'queue ended',
      'barrier: BrokenBarrierError',
    ]);
  });

  test('a dict whose manager lived in a thread that ended rejects with HandleClosedError, not a hang', async () => {
    const thread = started(dictOfAManagerThatEnds);
    const dict = await resultOf<SharedDict<string, number>>(thread);
    await assert.rejects(dict.get('made'), HandleClosedError);
    await assert.rejects(dict.set('later', 2), /handle cannot answer set\(\)/);
  });
});
