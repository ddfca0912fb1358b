// ThreadPoolExecutor workers are threads of the process (Python lists its pool threads in
// threading.enumerate(), named ThreadPoolExecutor-N_n), and every call in them runs as its
// own weft task, so task-scope code in a pool task has an identity.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  activeCount,
  Event,
  enumerate,
  RLock,
  type ThreadInfo,
  ThreadPoolExecutor,
  WorkerCrashedError,
} from '../src/index.js';
import {
  contendHandle,
  contendWorkerLock,
  exitWorker,
  holdHandle,
  holdWorkerLock,
  initSetting,
  readThenSetSetting,
  reenterHandle,
  reenterLocalRLock,
  startChildThread,
  taskOfCall,
  taskOfSyncCall,
} from './fixtures/pool-identity-tasks.js';
import { census, renameSelf, whoAmI } from './fixtures/thread-targets.js';
import { childLimit } from './support/child-budget.js';
import { collect } from './support/executor-harness.js';

const executors: ThreadPoolExecutor[] = [];

function pool(options?: ConstructorParameters<typeof ThreadPoolExecutor>[0]): ThreadPoolExecutor {
  const executor = new ThreadPoolExecutor(options);
  executors.push(executor);
  return executor;
}

after(() => Promise.all(executors.map((executor) => executor.shutdown({ cancelFutures: true }))));

const DEFAULT_NAME = /^ThreadPoolExecutor-(\d+)_(\d+)$/;

function threadWithIdent(ident: number | undefined): ThreadInfo | undefined {
  return enumerate().find((thread) => thread.ident === ident);
}

function namesStartingWith(prefix: string): string[] {
  return enumerate()
    .map((thread) => thread.name)
    .filter((name) => name.startsWith(prefix));
}

describe('pool workers are threads: currentThread() inside a task', () => {
  test('the worker thread: default name ThreadPoolExecutor-N_0, its ident, daemon, alive', async () => {
    const executor = pool({ maxWorkers: 1 });
    const seen = await executor.submit(whoAmI);
    const match = DEFAULT_NAME.exec(seen.name);
    assert.ok(match, `unexpected name ${seen.name}`);
    assert.equal(match[2], '0');
    assert.equal(seen.ident, seen.threadId);
    assert.equal(seen.daemon, true);
    assert.equal(seen.alive, true);
    assert.equal(seen.repr, `<Thread(${seen.name}, started daemon ${seen.threadId})>`);
    assert.equal(seen.mainName, 'MainThread');
    const { names } = await executor.submit(census);
    assert.ok(names.includes('MainThread'));
    assert.ok(names.includes(seen.name), 'the worker lists itself');
  });

  test('each pool takes the next number; its workers count from 0', async () => {
    const first = pool({ maxWorkers: 1 });
    const second = pool({ maxWorkers: 1 });
    const [a, b] = await Promise.all([first.submit(whoAmI), second.submit(whoAmI)]);
    const numberOf = (name: string) => Number(DEFAULT_NAME.exec(name)?.[1]);
    assert.equal(numberOf(b.name), numberOf(a.name) + 1);
    assert.match(b.name, /_0$/);
  });

  test('threadNamePrefix names the workers <prefix>_0, <prefix>_1, ...', async () => {
    const executor = pool({ maxWorkers: 2, threadNamePrefix: 'SpecialPool' });
    // Two tasks at once: the pool starts two workers, which the table lists from the start.
    const both = [executor.submit(whoAmI), executor.submit(whoAmI)];
    assert.deepEqual(namesStartingWith('SpecialPool').sort(), ['SpecialPool_0', 'SpecialPool_1']);
    for (const seen of await Promise.all(both)) assert.match(seen.name, /^SpecialPool_[01]$/);
  });

  test('an empty threadNamePrefix means the default; a non-string is refused', async () => {
    const executor = pool({ maxWorkers: 1, threadNamePrefix: '' });
    assert.match((await executor.submit(whoAmI)).name, DEFAULT_NAME);
    assert.throws(
      () => new ThreadPoolExecutor({ threadNamePrefix: 5 as unknown as string }),
      (error: unknown) =>
        error instanceof TypeError && /threadNamePrefix must be a string/.test(error.message),
    );
  });

  test('a task renames its worker: every thread sees the new name', async () => {
    const executor = pool({ maxWorkers: 1, threadNamePrefix: 'Renamed' });
    const { ident } = await executor.submit(whoAmI);
    assert.equal(await executor.submit(renameSelf, 'io-worker'), 'io-worker');
    assert.equal(threadWithIdent(ident)?.name, 'io-worker');
    assert.equal((await executor.submit(whoAmI)).name, 'io-worker');
  });
});

describe('enumerate() lists the live workers of every pool', () => {
  test('listed, as daemon threads, while they live; gone once shutdown() resolves', async () => {
    const before = activeCount();
    const executor = pool({ maxWorkers: 2, threadNamePrefix: 'Listed' });
    const seen = await Promise.all([executor.submit(whoAmI), executor.submit(whoAmI)]);
    const workers = enumerate().filter((thread) => thread.name.startsWith('Listed_'));
    assert.equal(workers.length, 2);
    assert.equal(activeCount(), before + 2);
    for (const worker of workers) {
      assert.equal(worker.daemon, true);
      assert.equal(worker.isAlive(), true);
    }
    // Either worker may have run both tasks; whichever ran them is listed.
    const idents = workers.map((worker) => worker.ident);
    for (const report of seen) assert.ok(idents.includes(report.ident));
    await executor.shutdown();
    assert.deepEqual(namesStartingWith('Listed_'), []);
    assert.equal(activeCount(), before);
    for (const worker of workers) {
      assert.equal(worker.isAlive(), false);
      assert.equal(await worker.join({ timeout: 0 }), true);
    }
  });

  test('a worker that crashes leaves the table; its replacement takes the next number', async () => {
    const executor = pool({ maxWorkers: 1, threadNamePrefix: 'Crashing' });
    const { ident } = await executor.submit(whoAmI);
    assert.ok(threadWithIdent(ident) !== undefined);
    await assert.rejects(executor.submit(exitWorker, 3).result(), WorkerCrashedError);
    assert.equal(threadWithIdent(ident), undefined, 'the dead worker is no longer listed');
    const replacement = await executor.submit(whoAmI);
    assert.equal(replacement.name, 'Crashing_1');
    assert.notEqual(replacement.ident, ident);
    assert.deepEqual(namesStartingWith('Crashing'), ['Crashing_1']);
  });

  test('a non-daemon thread started by a task does not disturb the pool', async () => {
    const executor = pool({ maxWorkers: 1 });
    const child = threadWithIdent(await executor.submit(startChildThread, 30));
    // Held from here: the child may end (and leave the table) before the pool's tasks below do.
    assert.equal(child?.name, 'pool-child');
    // The worker tells its pool about the child while these run; their answers stay in order.
    const names = await Promise.all(
      Array.from({ length: 20 }, () => executor.submit(whoAmI).then((seen) => seen.name)),
    );
    assert.equal(new Set(names).size, 1);
    // The child thread may still be starting (seconds on a busy machine).
    const limit = await childLimit(5_000);
    assert.equal(await child?.join({ timeout: limit }), true);
    assert.equal(child?.isAlive(), false);
    assert.match((await executor.submit(whoAmI)).name, DEFAULT_NAME);
  });
});

describe('every call runs as its own weft task', () => {
  test('currentTask() is defined during the call, across awaits, and differs between calls', async () => {
    const executor = pool({ maxWorkers: 1 });
    const first = await executor.submit(taskOfCall);
    const second = await executor.submit(taskOfCall);
    assert.equal(first.defined, true);
    assert.equal(first.sameAfterAwait, true);
    assert.equal(first.name, `Task-${first.id}`);
    assert.notEqual(second.id, first.id);
    const syncIds = await Promise.all([1, 2, 3].map(() => executor.submit(taskOfSyncCall)));
    assert.ok(syncIds.every((id) => typeof id === 'number'));
    assert.equal(new Set(syncIds).size, 3);
  });

  test('map items run as tasks of their own; a chunk of map is one task, as Python runs a chunk in one thread', async () => {
    const executor = pool({ maxWorkers: 1 });
    const items = [1, 2, 3, 4];
    const single = await collect(executor.map(taskOfSyncCall, items));
    assert.ok(single.every((id) => typeof id === 'number'));
    assert.equal(new Set(single).size, 4);
    const chunked = await collect(executor.map(taskOfSyncCall, items, { chunksize: 2 }));
    assert.ok(chunked.every((id) => typeof id === 'number'));
    assert.equal(chunked[0], chunked[1]);
    assert.equal(chunked[2], chunked[3]);
    assert.notEqual(chunked[0], chunked[2]);
  });

  test('the calls of a chunk that wait keep the chunk task across their awaits', async () => {
    const executor = pool({ maxWorkers: 1 });
    const seen = await collect(executor.map(taskOfCall, [1, 2, 3], { chunksize: 3 }));
    assert.ok(seen.every((report) => report.defined && report.sameAfterAwait));
    assert.equal(new Set(seen.map((report) => report.id)).size, 1);
  });

  test('a TaskLocal set by an item is seen by the next item of its chunk, not by the next chunk', async () => {
    const executor = pool({ maxWorkers: 1, initializer: initSetting, initArgs: ['configured'] });
    const seen = await collect(
      executor.map(readThenSetSetting, ['a', 'b', 'c', 'd', 'e'], { chunksize: 2 }),
    );
    assert.deepEqual(seen, ['configured', 'a', 'configured', 'c', 'configured']);
  });

  test('an RLock made inside the call is re-entrant for it', async () => {
    const executor = pool({ maxWorkers: 1 });
    assert.deepEqual(await executor.submit(reenterLocalRLock), {
      first: true,
      second: true,
      stillHeld: true,
      free: true,
    });
  });

  test("work a call leaves running keeps its identity: the next call is another party for the worker's RLock", async () => {
    const executor = pool({ maxWorkers: 1 });
    const go = new Event();
    const holder = executor.submit(holdWorkerLock, go);
    const contender = executor.submit(contendWorkerLock, go);
    assert.equal(typeof (await holder), 'number');
    assert.deepEqual(await contender, [false, true]);
  });

  test('an RLock handle: re-entrant within a call, refused to another call of the same worker', async () => {
    const executor = pool({ maxWorkers: 1 });
    const rlock = new RLock();
    assert.deepEqual(await executor.submit(reenterHandle, rlock), [true, true]);
    assert.equal(rlock.locked(), false);
    const go = new Event();
    const holder = executor.submit(holdHandle, rlock, go);
    const contender = executor.submit(contendHandle, rlock, go);
    assert.equal(await holder, 'held');
    assert.deepEqual(await contender, [false, true]);
    assert.equal(rlock.locked(), false, 'both calls let go');
  });

  test("a TaskLocal starts at the initializer's value in every call; a call's own set stays with it", async () => {
    const executor = pool({ maxWorkers: 1, initializer: initSetting, initArgs: ['configured'] });
    const seen: string[] = [];
    for (const value of ['a', 'b', 'c'])
      seen.push(await executor.submit(readThenSetSetting, value));
    assert.deepEqual(seen, ['configured', 'configured', 'configured']);
  });
});
