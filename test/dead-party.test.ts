// A party that dies gives back what it held (issue 10, point 6): a thread ended by
// terminate(), a process by SIGKILL, or a pool worker stopped after a task's timeout, while it
// holds a Lock, an RLock (several levels deep), Semaphore permits, a Condition's lock, or while
// a queue item is on its way to it. Each is killed in a loop; the larger soak of the same
// runs: scripts/dead-party-soak.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  ProcessPoolExecutor,
  Queue,
  RLock,
  RuntimeError,
  Semaphore,
  spawn,
  ThreadPoolExecutor,
  TimeoutError,
} from '../src/index.js';
import { holdAndHang, parkGetAndHang, waitOnCondition } from './fixtures/dead-party-targets.js';
import { square } from './fixtures/process-targets.js';
import {
  eventually,
  holder,
  killAll,
  killParty,
  moverRun,
  PARTY_KINDS,
  PATIENCE,
  seededRandom,
  startParty,
} from './support/dead-party.js';

const SUITE = { timeout: 300_000 } as const;
/** Kills per scenario and kind: each costs a thread or process start (about a second at load 10). */
const ROUNDS = 2;

after(killAll);

for (const kind of PARTY_KINDS) {
  describe(`a ${kind} that is killed gives back what it held`, SUITE, () => {
    test(`a Lock comes back marked abandoned, ${ROUNDS} kills in a row`, async () => {
      const lock = new Lock();
      for (let round = 0; round < ROUNDS; round++) {
        const party = await holder(kind, [lock, 1]);
        assert.equal(lock.locked(), true);
        // Odd rounds: the next holder is already waiting; even rounds: it comes later.
        const waiting = round % 2 === 1 ? lock.acquire(PATIENCE) : undefined;
        await killParty(party);
        assert.equal(await (waiting ?? lock.acquire(PATIENCE)), true, `round ${round}`);
        assert.equal(lock.abandoned, true, 'the next holder learns the lock was abandoned');
        lock.release();
        assert.equal(lock.abandoned, false, 'its release clears abandoned');
      }
      assert.equal(lock.locked(), false);
    });

    test(`an RLock held three levels deep comes back whole, ${ROUNDS} kills in a row`, async () => {
      const rlock = new RLock();
      for (let round = 0; round < ROUNDS; round++) {
        const party = await holder(kind, [rlock, 3]);
        await killParty(party);
        await spawn(async () => {
          assert.equal(await rlock.acquire(PATIENCE), true, `round ${round}`);
          assert.equal(rlock.abandoned, true);
          // One release undoes this task's one level: none of the dead owner's are left.
          rlock.release();
          assert.equal(rlock.locked(), false);
          assert.equal(rlock.abandoned, false);
        });
      }
    });

    test(`Semaphore permits come back, and a BoundedSemaphore stays within its bound`, async () => {
      const sem = new Semaphore(3);
      const bounded = new BoundedSemaphore(2);
      for (let round = 0; round < ROUNDS; round++) {
        const party = await holder(kind, [sem, 2], [bounded, 2]);
        assert.deepEqual([sem.value, bounded.value], [1, 0]);
        await killParty(party);
        await eventually(() => sem.value === 3 && bounded.value === 2, 'the permits came back');
      }
      assert.throws(() => bounded.release(), RuntimeError, 'no permit came back twice');
    });

    test('a Condition’s lock comes back from a dead holder; a dead waiter leaves it free', async () => {
      const cond = new Condition();
      for (let round = 0; round < ROUNDS; round++) {
        const ready = new Event();
        const waiter = startParty(kind, waitOnCondition, [cond, ready]);
        assert.equal(await ready.wait(PATIENCE), true);
        const lockHolder = await holder(kind, [cond, 1]);
        await Promise.all([killParty(waiter), killParty(lockHolder)]);
        assert.equal(await cond.acquire(PATIENCE), true, `round ${round}`);
        assert.equal((cond.lock as Lock).abandoned, true);
        cond.notifyAll();
        cond.release();
      }
      await eventually(() => !cond.locked(), 'the dead waiter’s re-taken lock was given back');
    });

    test('an item handed to a getter that dies goes back to the front, still unfinished', async () => {
      const queue = new Queue<string>();
      for (let round = 0; round < ROUNDS; round++) {
        const ready = new Event();
        const getter = startParty(kind, parkGetAndHang, [queue, ready]);
        assert.equal(await ready.wait(PATIENCE), true);
        queue.putNowait(`first ${round}`); // goes to the parked get, which never reads it
        queue.putNowait(`second ${round}`);
        assert.equal(queue.qsize(), 1);
        await killParty(getter);
        await eventually(() => queue.qsize() === 2, 'the item came back');
        assert.equal(queue.getNowait(), `first ${round}`, 'it came back in front');
        assert.equal(queue.getNowait(), `second ${round}`);
        queue.taskDone();
        queue.taskDone();
        assert.equal(await queue.join({ timeout: 0 }), true, 'each item counted once');
      }
      assert.throws(() => queue.taskDone(), RuntimeError);
    });
  });
}

describe(
  'a pool worker stopped after its task’s timeout gives back the lock it held',
  SUITE,
  () => {
    for (const [name, Executor] of [
      ['ThreadPoolExecutor', ThreadPoolExecutor],
      ['ProcessPoolExecutor', ProcessPoolExecutor],
    ] as const) {
      test(name, async () => {
        const executor = new Executor({ maxWorkers: 1 });
        const lock = new Lock();
        try {
          // The timeout must outlast taking the lock: start from a task's round trip to a ready
          // worker, and double it for a round whose task timed out before it held the lock.
          assert.equal(await executor.submit(square, 3), 9); // the worker is up
          const started = performance.now();
          assert.equal(await executor.submit(square, 4), 16);
          let timeout = Math.max(100, 20 * (performance.now() - started));
          for (let round = 0; round < ROUNDS; round++) {
            const ready = new Event();
            const holds = [[lock, 1]] as never; // a Lock crosses as the LockHandle the task takes
            const task = executor.submitWith({ timeout }, holdAndHang, holds, ready);
            await assert.rejects(task.result(), TimeoutError);
            if (!ready.isSet()) {
              assert.equal(await executor.submit(square, 5), 25);
              timeout *= 2;
              round--;
              continue;
            }
            assert.equal(await lock.acquire(PATIENCE), true, `round ${round}`);
            assert.equal(lock.abandoned, true);
            lock.release();
            // The next round's timeout starts with its task: let the replacement worker start first.
            if (round + 1 < ROUNDS) assert.equal(await executor.submit(square, 5), 25);
          }
        } finally {
          await executor.shutdown({ cancelFutures: true });
        }
      });
    }
  },
);

describe('queue items on their way to movers killed at random instants', SUITE, () => {
  test('every item is in the queue exactly once afterwards: as put, or as moved', async () => {
    const seed = Number(process.env.WEFT_SOAK_SEED ?? Date.now() % 1_000_000);
    const moved = await moverRun({
      items: 300,
      movers: 3,
      kills: 4,
      maxPause: 60,
      kinds: PARTY_KINDS,
      random: seededRandom(seed),
    }).catch((error: Error) => {
      error.message += ` (replay with WEFT_SOAK_SEED=${seed})`;
      throw error;
    });
    assert.ok(moved > 0, 'the movers moved items');
  });
});
