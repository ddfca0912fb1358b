// Dict loans (issue 11: no round trip where none is needed): a SharedDict handle that keeps
// using its dict borrows it, reads what it knows with no message at all, and sends its changes
// on without waiting. Anyone else's call recalls the loan and waits for it, behind the
// borrower's changes; a loan goes back by itself when idle and before its thread blocks in a
// `*Sync` call; a borrower that dies ends it. Random sequences over three handles must match
// a plain Map, call for call.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Destination } from '../src/codec/descriptor.js';
import {
  Event,
  Manager,
  RuntimeError,
  type SharedDict,
  SharedEvent,
  spawn,
  Thread,
} from '../src/index.js';
import { outboxCounts } from '../src/remote/outbox.js';
import {
  borrowIdleThenBlock,
  borrowThenSpin,
  borrowThenWaitSync,
} from './fixtures/dict-loan-targets.js';
import { closeLocalHandles, HANDLE_TRANSPORTS, localHandle } from './fixtures/proxy-local.js';
import {
  killAll,
  killParty,
  PARTY_KINDS,
  PATIENCE,
  seededRandom,
  startParty,
} from './support/dead-party.js';

after(closeLocalHandles);
after(killAll);

type Dict = SharedDict<string, unknown>;

/** A manager's dict, the owner's own handle on it, and `count` handles over `to`'s transport. */
async function dictWithHandles(
  to: Destination,
  count: number,
): Promise<{ manager: Manager; local: Dict; remotes: Dict[] }> {
  const manager = new Manager({ name: 'loans' });
  const local = manager.dict<string, unknown>();
  const remotes: Dict[] = [];
  for (let i = 0; i < count; i++) remotes.push((await localHandle<Dict>(local, to)).handle);
  return { manager, local, remotes };
}

/** Uses `dict` enough for it to be lent to this handle; every answer is checked. */
async function borrow(dict: Dict, key = 'warm'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await dict.set(key, i);
    assert.equal(await dict.get(key), i);
  }
}

/** Whether `promise` has settled by the end of this turn's microtasks. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await sleep(0);
  return done;
}

for (const [label, to] of HANDLE_TRANSPORTS) {
  describe(`dict loans (${label})`, () => {
    test('a handle that keeps using its dict reads what it knows without a message', async () => {
      const { manager, local, remotes } = await dictWithHandles(to, 1);
      const [remote] = remotes as [Dict];
      await borrow(remote);
      await remote.set('n', 7);
      await remote.set('s', 'text');
      const before = outboxCounts.messages;
      for (let i = 0; i < 1_000; i++) {
        assert.equal(await remote.get('n'), 7);
        assert.equal(await remote.get('s', 'fallback'), 'text');
        assert.equal(await remote.has('n'), true);
      }
      assert.equal(outboxCounts.messages - before, 0, 'no message for 3,000 reads it knew');
      // Its increments go ahead too: computed here, sent on as sets.
      for (let i = 0; i < 100; i++) await remote.increment('n');
      assert.equal(await remote.get('n'), 107);
      // The owner's own call recalls the loan and sees every change made before it.
      assert.deepEqual(
        await local.toMap(),
        new Map<string, unknown>([
          ['warm', 99],
          ['n', 107],
          ['s', 'text'],
        ]),
      );
      manager.shutdown();
    });

    test('an object value is never read from the handle: each get is a fresh copy', async () => {
      const { manager, remotes } = await dictWithHandles(to, 1);
      const [remote] = remotes as [Dict];
      await borrow(remote);
      await remote.set('o', { list: [1] });
      const first = (await remote.get('o')) as { list: number[] };
      first.list.push(2);
      assert.deepEqual(await remote.get('o'), { list: [1] }, 'changing a copy changes nothing');
      manager.shutdown();
    });

    test('another handle’s call recalls the loan, and sees what the borrower set before it', async () => {
      const { manager, remotes } = await dictWithHandles(to, 2);
      const [a, b] = remotes as [Dict, Dict];
      for (let round = 0; round < 20; round++) {
        await borrow(a, 'a');
        await a.set('shared', round);
        // Told on another path (here: this very code), b must see it: a's set goes first.
        assert.equal(await b.get('shared'), round);
        await b.set('shared', -round);
        // b's set went ahead on b's own link: a call on b is what orders it before others.
        assert.equal(await b.get('shared'), -round);
        assert.equal(await a.get('shared'), -round);
      }
      manager.shutdown();
    });

    test('random calls over three handles, one at a time, answer as a plain Map would', async () => {
      const { manager, local, remotes } = await dictWithHandles(to, 2);
      const handles = [local, ...remotes];
      const seed = Number(process.env.WEFT_DICT_LOAN_SEED ?? Date.now() >>> 0);
      const random = seededRandom(seed);
      const model = new Map<string, unknown>();
      const keys = ['a', 'b', 'c', 'd'];
      const valueAt = (i: number): unknown =>
        [i, `s${i}`, { i }, null, undefined, true, BigInt(i)][i % 7];
      // Bursts on one handle (so loans are granted), then another.
      let handle = 0;
      for (let step = 0; step < 4_000; step++) {
        if (random() < 0.02) {
          // Sets go ahead on their handle's own link: a call on it orders them before the
          // calls of another handle (docs/manager.md, "Sets sent ahead").
          await handles[handle]!.has('sync');
          handle = Math.floor(random() * handles.length);
        }
        const dict = handles[handle]!;
        const key = keys[Math.floor(random() * keys.length)]!;
        const op = Math.floor(random() * 10);
        const where = `seed ${seed}, step ${step}, handle ${handle}, op ${op}, key ${key}`;
        switch (op) {
          case 0:
          case 1: {
            const value = valueAt(step);
            await dict.set(key, value);
            model.set(key, value);
            break;
          }
          case 2:
          case 3:
            assert.deepEqual(
              await dict.get(key, 'none'),
              model.has(key) ? model.get(key) : 'none',
              where,
            );
            break;
          case 4:
            assert.equal(await dict.has(key), model.has(key), where);
            break;
          case 5: {
            const current = model.get(key);
            if (typeof current === 'number' || current === undefined) {
              const sum = ((current as number | undefined) ?? 0) + 2;
              assert.equal(await dict.increment(key, 2), sum, where);
              model.set(key, sum);
            } else if (typeof current === 'bigint') {
              assert.equal(await dict.increment(key, 2n as never), current + 2n, where);
              model.set(key, current + 2n);
            } else await assert.rejects(dict.increment(key), TypeError, where);
            break;
          }
          case 6:
            assert.equal(await dict.delete(key), model.delete(key), where);
            break;
          case 7: {
            const expected = model.has(key) ? model.get(key) : step;
            assert.deepEqual(await dict.setDefault(key, step), expected, where);
            if (!model.has(key)) model.set(key, step);
            break;
          }
          case 8: {
            const expected = model.has(key) ? model.get(key) : 'gone';
            assert.deepEqual(await dict.pop(key, 'gone'), expected, where);
            model.delete(key);
            break;
          }
          default:
            assert.deepEqual(await dict.toMap(), model, where);
        }
      }
      manager.shutdown();
    });

    test('concurrent increments from tasks on three handles all count', async () => {
      const { manager, local, remotes } = await dictWithHandles(to, 2);
      const handles = [local, ...remotes];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          spawn(async () => {
            const dict = handles[i % 3]!;
            for (let n = 0; n < 50; n++) {
              await dict.increment('hits');
              await dict.set(`own${i}`, n);
              if (n % 10 === 9) await sleep(0);
            }
          }),
        ),
      );
      assert.equal(await local.get('hits'), 1_500);
      for (let i = 0; i < 30; i++) assert.equal(await remotes[0]!.get(`own${i}`), 49);
      manager.shutdown();
    });

    test('a shutdown while lent: calls held for the loan and the borrower’s next calls reject', async () => {
      const { manager, local, remotes } = await dictWithHandles(to, 1);
      const [remote] = remotes as [Dict];
      await borrow(remote);
      const held = local.get('warm');
      manager.shutdown();
      await assert.rejects(held, RuntimeError);
      // The borrower hears that its loan ended with the owner's next message: from then on
      // its calls go to the owner and are refused (until then it answers what it knew).
      const deadline = performance.now() + PATIENCE.timeout;
      for (;;) {
        const outcome = await remote.get('warm').then(
          (value) => value,
          (err: unknown) => err,
        );
        if (outcome instanceof RuntimeError) break;
        assert.equal(outcome, 99, 'what it knew, until it heard');
        if (performance.now() > deadline) assert.fail('the borrower never heard of the shutdown');
        await sleep(2);
      }
      await assert.rejects(remote.set('warm', 1), RuntimeError);
    });
  });
}

describe('dict loans with real threads and processes', () => {
  test('an idle loan goes back by itself: a thread blocked without weft knowing holds nothing', async () => {
    await using manager = new Manager();
    const dict = manager.dict<string, number>();
    const idle = new Event();
    const release = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Thread(borrowIdleThenBlock, {
      args: [dict, 200, idle, release, PATIENCE.timeout],
    });
    thread.start();
    try {
      assert.equal(await idle.wait(PATIENCE), true);
      // The thread is (about to be) blocked: only a loan already back lets this answer.
      assert.equal(await dict.get('idler'), 199);
    } finally {
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
    }
    assert.equal(await thread.join(PATIENCE), true);
    assert.equal(thread.result, true, 'released, not timed out: the get did not wait for it');
  });

  test('a thread about to block in a *Sync call gives its loan back first', async () => {
    await using manager = new Manager();
    const dict = manager.dict<string, number>();
    const blocking = new Int32Array(new SharedArrayBuffer(4));
    const release = new SharedEvent();
    const thread = new Thread(borrowThenWaitSync, {
      args: [dict, blocking, release, PATIENCE.timeout],
    });
    thread.start();
    try {
      const deadline = performance.now() + PATIENCE.timeout;
      while (Atomics.load(blocking, 0) === 0) {
        if (performance.now() > deadline) assert.fail('the thread never got to block');
        await sleep(2);
      }
      // Its last set went out before it blocked, with the loan.
      assert.equal(await dict.get('blocker'), -1);
    } finally {
      release.set();
    }
    assert.equal(await thread.join(PATIENCE), true);
    assert.equal(thread.result, true, 'released, not timed out');
  });

  for (const kind of PARTY_KINDS) {
    test(`a ${kind} that dies holding a loan: the calls held for it run, with everything it sent`, async () => {
      await using manager = new Manager();
      const dict = manager.dict<string, number>();
      const lent = new Event();
      const party = startParty(kind, borrowThenSpin, [dict, lent]);
      assert.equal(await lent.wait(PATIENCE), true);
      const held = dict.get('spinner');
      // The borrower spins without ever turning its event loop: the loan cannot come back.
      assert.equal(await settled(held), false, 'held while the borrower lives');
      await sleep(20);
      assert.equal(await settled(held), false, 'still held');
      await killParty(party);
      assert.equal(await held, 1_000);
      assert.equal(await dict.size(), 1);
    });
  }
});
