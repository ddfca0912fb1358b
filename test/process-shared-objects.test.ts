// The rest of what crosses into a child process, beside the queues and locks of
// process-handles.test.ts: an Exchange (with a child's own queue subscribed back to it), an
// Actor, a Condition, an RLock, Pipe ends, and a Manager's dict, list and namespace — the
// seed's Manager example: updates from ten children are all there at the end.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  Actor,
  Condition,
  EOFError,
  Event,
  Exchange,
  Manager,
  Pipe,
  Process,
  Queue,
  RLock,
  spawn,
} from '../src/index.js';
import { addUnderLock, appendAndCount } from './fixtures/manager-targets.js';
import { echo, recvUntilEOF, sendAndClose } from './fixtures/pipe-targets.js';
import { askTwice, holdTwice, notifyParent, publishAndListen } from './fixtures/process-shared.js';
import { CHILD_TEST, shareChildLimit } from './support/child-budget.js';
import { endProcesses, run, started } from './support/process-helpers.js';

// How long a child may take, from what starting one costs here now (a busy machine waits longer);
// the children's own waits (test/fixtures/process-shared.ts) are the same.
const waitMs = await shareChildLimit(10_000);
const LIMIT = CHILD_TEST;
const WAIT = { timeout: waitMs };

after(endProcesses);

describe('Exchange, Actor, Condition and RLock shared with a child process', () => {
  test(
    'a child publishes to an exchange and gets a message on its own subscribed queue',
    LIMIT,
    async () => {
      const exchange = new Exchange<string>();
      const seen = new Queue<string>();
      using _sub = exchange.subscribe(seen);
      const ready = new Event();
      const child = started(new Process(publishAndListen, { args: [exchange, ready] }));
      assert.equal(await seen.get(WAIT), 'from the child');
      assert.equal(await ready.wait(WAIT), true);
      await exchange.send('to everyone');
      assert.equal(await child.join(WAIT), true);
      assert.equal(child.result, 'to everyone', String(child.exception));
      assert.equal(await seen.get({ timeout: 0 }), 'to everyone');
    },
  );

  test("a child's asks reach the actor and its answers come back", LIMIT, async () => {
    const actor = new Actor<number, number>({ handler: (n) => n * n }).start();
    const child = await run(new Process(askTwice, { args: [actor] }));
    assert.deepEqual(child.result, [9, 16], String(child.exception));
    actor.close();
    await actor.join();
  });

  test('a child notifies a condition the parent waits on', LIMIT, async () => {
    const cond = new Condition();
    await cond.acquire();
    started(new Process(notifyParent, { args: [cond] }));
    assert.equal(await cond.wait(WAIT), true, 'notified');
    assert.equal(cond.locked(), true, 'wait returns holding the lock again');
    cond.release();
  });

  test(
    'an RLock is re-entrant for the child that holds it, and free once it let go',
    LIMIT,
    async () => {
      const rlock = new RLock();
      const child = await run(new Process(holdTwice, { args: [rlock] }));
      assert.deepEqual(child.result, [true, true], String(child.exception));
      const taken = await spawn(async () => {
        const got = await rlock.acquire({ timeout: 0 });
        if (got) rlock.release();
        return got;
      });
      assert.equal(taken, true);
    },
  );
});

describe('Pipe ends passed to a child process', () => {
  test('messages go both ways in order', LIMIT, async () => {
    const [mine, theirs] = Pipe<string>();
    const child = started(new Process(echo, { args: [theirs] }));
    for (const word of ['a', 'b', 'c']) {
      await mine.send(word);
      assert.equal(await mine.recv(WAIT), word.toUpperCase());
    }
    await mine.send('stop');
    assert.equal(await child.join(WAIT), true);
    assert.equal(child.result, 3);
  });

  test("the child's close reaches the parent: what was sent, then EOFError", LIMIT, async () => {
    const [mine, theirs] = Pipe<number>();
    const child = await run(new Process(sendAndClose, { args: [theirs, [1, 2, 3]] }));
    assert.equal(child.result, true, String(child.exception));
    assert.deepEqual([await mine.recv(), await mine.recv(), await mine.recv()], [1, 2, 3]);
    await assert.rejects(mine.recv(WAIT), EOFError);
  });

  test("the parent's close ends the child's recv with EOFError", LIMIT, async () => {
    const [mine, theirs] = Pipe<unknown, string>();
    const child = started(new Process(recvUntilEOF, { args: [theirs] }));
    assert.equal(await mine.recv(WAIT), 'ready');
    await mine.send('one');
    mine.close();
    assert.equal(await child.join(WAIT), true);
    assert.deepEqual(child.result, [['one'], 'EOFError'], String(child.exception));
  });
});

describe('Manager objects shared with child processes', () => {
  test(
    'ten children append to one list and count in one dict: every update is there',
    LIMIT,
    async () => {
      await using manager = new Manager();
      const items = manager.list<string>();
      const counts = manager.dict<string, number>();
      const children = Array.from(
        { length: 10 },
        (_, worker) => new Process(appendAndCount, { args: [worker, 20, items, counts] }),
      );
      for (const child of children) started(child);
      for (const child of children) {
        assert.equal(await child.join(WAIT), true);
        assert.equal(child.result, 20, String(child.exception));
      }
      assert.equal(await items.length(), 200);
      assert.equal(new Set(await items.toArray()).size, 200, 'no item lost or doubled');
      assert.equal(await counts.get('total'), 200);
      for (let worker = 0; worker < 10; worker++)
        assert.equal(await counts.get(`worker ${worker}`), 20);
    },
  );

  test(
    'a manager lock makes read-modify-write on a namespace safe across children',
    LIMIT,
    async () => {
      await using manager = new Manager();
      const state = manager.namespace({ total: 0 });
      const lock = manager.lock();
      const children = [1, 2, 3].map(() => new Process(addUnderLock, { args: [10, state, lock] }));
      for (const child of children) started(child);
      for (const child of children) {
        assert.equal(await child.join(WAIT), true);
        assert.equal(child.exception, undefined);
      }
      assert.equal(await state.get('total'), 30);
    },
  );
});
