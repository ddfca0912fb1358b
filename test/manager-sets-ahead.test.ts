// A manager dict's sets sent ahead (issue 11, point 5): once the owner answered a set of a
// handle, its later sets resolve at the call and go to the owner without waiting for an
// answer. Order per handle is kept and a later call sees the set; a bad key or value still
// rejects at the call; a set the owner refuses reaches the handle's next call; a child that
// dies with sets on their way leaves the prefix it sent.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Destination } from '../src/codec/descriptor.js';
import {
  Event,
  Manager,
  type Process,
  portable,
  RuntimeError,
  type SharedDict,
} from '../src/index.js';
import { setCount, setUntilKilled } from './fixtures/dict-sets-targets.js';
import { closeLocalHandles, HANDLE_TRANSPORTS, localHandle } from './fixtures/proxy-local.js';
import { WORKER_SUITE } from './support/async-helpers.js';
import { killAll, killParty, PATIENCE, startParty } from './support/dead-party.js';

after(closeLocalHandles);
after(killAll);

// Two portable classes of one name and module: the owner cannot tell which an instance is
// of, so it looks the class up by importing the module, which does not exist: a value
// whose decoding fails at the owner only.
const GHOST_MODULE = new URL('./fixtures/no-such-module.js', import.meta.url).href;
const Ghost = portable(GHOST_MODULE, class Ghost {});
portable(GHOST_MODULE, class Ghost {});

/** A manager's dict, its owner's own handle, and a handle on it over `to`'s transport. */
async function dictOver(to: Destination): Promise<{
  manager: Manager;
  local: SharedDict<string, unknown>;
  remote: SharedDict<string, unknown>;
}> {
  const manager = new Manager({ name: 'sets' });
  const local = manager.dict<string, unknown>();
  const { handle: remote } = await localHandle<SharedDict<string, unknown>>(local, to);
  return { manager, local, remote };
}

for (const [label, to] of HANDLE_TRANSPORTS) {
  describe(`a manager dict's sets sent ahead (${label})`, () => {
    test('the first set waits for its answer; the next resolve before the owner has them, and a later call sees them', async () => {
      const { manager, local, remote } = await dictOver(to);
      await remote.set('a', 1);
      assert.equal(await local.get('a'), 1, 'the first set was answered, so applied');
      await remote.set('a', 2);
      await remote.set('b', 3);
      // Only microtasks since: the sets are still on their way (they went ahead).
      assert.deepEqual(await local.toMap(), new Map([['a', 1]]));
      assert.equal(await remote.get('a'), 2, 'read your writes');
      assert.deepEqual(
        await local.toMap(),
        new Map([
          ['a', 2],
          ['b', 3],
        ]),
      );
      manager.shutdown();
    });

    test('sets in a loop, with gets between, keep their order', async () => {
      const { manager, local, remote } = await dictOver(to);
      const last = new Map<string, number>();
      for (let i = 0; i < 2_000; i++) {
        const key = `k${i % 7}`;
        await remote.set(key, i);
        last.set(key, i);
        if (i % 97 === 0) assert.equal(await remote.get(key), i);
      }
      assert.deepEqual(await remote.toMap(), last);
      assert.deepEqual(await local.toMap(), last);
      manager.shutdown();
    });

    test('sets not awaited, past the most that go ahead, all arrive in order', async () => {
      const { manager, local, remote } = await dictOver(to);
      await remote.set('n', -1);
      const sets: Promise<void>[] = [];
      for (let i = 0; i < 1_000; i++) sets.push(remote.set('n', i), remote.set(`n${i}`, i));
      await Promise.all(sets);
      assert.equal(await remote.get('n'), 999);
      assert.equal(await local.size(), 1_001);
      manager.shutdown();
    });

    test('a bad key or a value that cannot cross rejects at the call, nothing sent; sets go on ahead', async () => {
      const { manager, local, remote } = await dictOver(to);
      await remote.set('a', 1);
      await assert.rejects(
        remote.set({} as never, 1),
        /^TypeError: SharedDict\.set\(\): a key must be a string, number, bigint, boolean, null or undefined/,
      );
      await assert.rejects(
        remote.set('f', () => 1),
        /^TypeError: SharedDict\.set: argument 1 is function/,
      );
      await remote.set('b', 2);
      assert.equal(await local.has('b'), false, 'the set after them still went ahead');
      assert.deepEqual(
        await remote.toMap(),
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      );
      manager.shutdown();
    });

    test('a set sent ahead that the owner refuses: the next call rejects with its error, then sets wait for answers', async () => {
      const { manager, local, remote } = await dictOver(to);
      await remote.set('a', 1);
      await remote.set('ghost', new Ghost()); // sent ahead: resolved at the call
      // Made before the refusal came back: answered.
      assert.equal(await remote.get('ghost'), undefined);
      await assert.rejects(
        remote.size(),
        /^TypeError: an instance of class Ghost arrived, but its module .* could not be imported/,
      );
      assert.equal(await remote.size(), 1, 'reported once');
      await remote.set('b', 2);
      assert.equal(await local.get('b'), 2, 'the set after the refusal waited for its answer');
      await remote.set('c', 3);
      assert.equal(await local.has('c'), false, 'and the one after it went ahead again');
      assert.equal(await remote.get('c'), 3);
      manager.shutdown();
    });

    test('after shutdown: a set sent ahead resolves; the next calls reject naming the manager', async () => {
      const { manager, remote } = await dictOver(to);
      await remote.set('a', 1);
      manager.shutdown();
      await remote.set('a', 2); // the handle has not heard: sent ahead
      const shutDown = (where: string) => (err: Error) => {
        assert.ok(err instanceof RuntimeError);
        assert.equal(
          err.message,
          `SharedDict.${where}(): sets was shut down, and its dicts, lists and namespaces with it`,
        );
        return true;
      };
      await assert.rejects(remote.get('a'), shutDown('get'));
      await assert.rejects(remote.set('a', 3), shutDown('set'));
      await assert.rejects(remote.set('a', 4), shutDown('set'));
    });
  });
}

describe('sets sent ahead from a child process', WORKER_SUITE, () => {
  test('a child that returns right after its last set: every set arrives', async () => {
    await using manager = new Manager();
    const dict = manager.dict<number, number>();
    const count = 3_000;
    const party = startParty('process', setCount, [dict, count]);
    assert.equal(await party.join(PATIENCE), true);
    assert.equal((party as Process).exitCode, 0, String(party.exception));
    assert.equal(await dict.size(), count);
    for (let i = 0; i < count; i += 299) assert.equal(await dict.get(i), i);
  });

  test('killed (SIGKILL) with sets on their way: what arrived is a prefix of what it set', async () => {
    await using manager = new Manager();
    const dict = manager.dict<number, number>();
    const going = new Event();
    const first = 10;
    const party = startParty('process', setUntilKilled, [dict, first, going]);
    assert.equal(await going.wait(PATIENCE), true);
    // Polled, with a guard against a hang (not a timing): the child sets as fast as it can.
    const deadline = performance.now() + PATIENCE.timeout;
    while ((await dict.size()) <= first + 1_000) {
      if (performance.now() > deadline) assert.fail('the child did not go on setting');
      await sleep(2);
    }
    await killParty(party);
    const entries = [...(await dict.toMap())].sort(([a], [b]) => a - b);
    assert.ok(entries.length > first + 1_000);
    entries.forEach(([key, value], i) => {
      assert.equal(key, i, 'no gap: a prefix');
      assert.equal(value, i);
    });
  });
});
