// A thread terminated while it waits in a shared primitive's line must not keep the others'
// tries (getNowait, putNowait, tryAcquire) from being served: its place in the line is dropped.
// Nor may one terminated inside a primitive's word mutex leave it held for its terminator.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedLock, SharedQueue, type Thread } from '../src/index.js';
import { terminateInsideMutex, waitThenHang } from './fixtures/shared-dead-waiters.js';
import { killAll, killParty, PATIENCE, startParty } from './support/dead-party.js';

after(killAll);

/** Starts a thread that waits at `target` with `what`, and terminates it once it waits. */
async function dieWaiting(what: 'get' | 'put' | 'acquire', target: object): Promise<void> {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const thread = startParty('thread', waitThenHang, [what, target, flag]) as Thread;
  while (Atomics.load(flag, 0) === 0) {
    assert.ok(thread.isAlive(), `the thread ended before it waited: ${thread.exception}`);
    await sleep(5);
  }
  await killParty(thread);
}

test('getNowait() takes an item although a terminated thread waited in line for one', async () => {
  const queue = new SharedQueue<number>();
  await dieWaiting('get', queue);
  queue.putNowait(7);
  assert.equal(queue.getNowait(), 7);
});

test('putNowait() finds room although a terminated thread waited in line to put', async () => {
  const queue = new SharedQueue<number>({ maxsize: 1 });
  queue.putNowait(0);
  await dieWaiting('put', queue);
  assert.equal(queue.getNowait(), 0);
  queue.putNowait(7);
  assert.equal(queue.getNowait(), 7);
});

test('tryAcquire() takes a free lock although a terminated thread waited in line for it', async () => {
  const lock = new SharedLock();
  assert.equal(lock.tryAcquire(), true);
  await dieWaiting('acquire', lock);
  lock.release();
  assert.equal(lock.tryAcquire(), true);
  lock.release();
});

test('terminate() lets a thread leave the shared mutex it is inside before it ends it', async () => {
  const lock = new SharedLock();
  // The terminator is a thread of its own: one that blocked for good would hang the test.
  const terminator = startParty('thread', terminateInsideMutex, [lock]) as Thread;
  assert.equal(await terminator.join(PATIENCE), true, 'the terminator blocked on the mutex');
  assert.equal(terminator.exception, undefined);
  assert.equal(terminator.result, true);
  assert.equal(lock.locked(), false);
});
