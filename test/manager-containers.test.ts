// A Manager's dict, list and namespace, each driven twice: through the handle the manager
// gives its caller, and through a handle that reached it over the real handle protocol (a
// MessageChannel, as into a worker). Both must behave the same. CPython's
// test_multiprocessing container tests (_TestContainers) in our words.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  Manager,
  type Queue,
  QueueHandle,
  type SharedDict,
  type SharedList,
  type SharedNamespace,
} from '../src/index.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';

const manager = new Manager({ name: 'containers' });

after(() => {
  closeLocalHandles();
  manager.shutdown();
});

/** How a test reaches the object the manager made. */
const VIAS: Record<string, <H extends object>(handle: H) => Promise<H>> = {
  "the manager's own handle": async (handle) => handle,
  'a handle over the handle protocol': async (handle) =>
    (await localHandle<typeof handle>(handle)).handle,
};

for (const [via, reach] of Object.entries(VIAS)) {
  const dict = <K extends string | number, V>(init?: Iterable<readonly [K, V]>) =>
    reach<SharedDict<K, V>>(manager.dict<K, V>(init));
  const list = <T>(init?: Iterable<T>) => reach<SharedList<T>>(manager.list<T>(init));

  describe(`SharedDict through ${via}`, () => {
    test("Map's methods, asynchronous", async () => {
      const d = await dict<string, number>([['a', 1]]);
      await d.set('b', 2);
      assert.equal(await d.get('a'), 1);
      assert.equal(await d.get('missing'), undefined);
      assert.equal(await d.get('missing', 0), 0, 'a fallback, as dict.get(k, default)');
      assert.equal(await d.has('b'), true);
      assert.equal(await d.size(), 2);
      assert.deepEqual(await d.keys(), ['a', 'b']);
      assert.deepEqual(await d.values(), [1, 2]);
      assert.deepEqual(await d.entries(), [
        ['a', 1],
        ['b', 2],
      ]);
      assert.deepEqual(
        await d.toMap(),
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      );
      assert.equal(await d.delete('a'), true);
      assert.equal(await d.delete('a'), false);
      await d.clear();
      assert.equal(await d.size(), 0);
    });

    test('for await iterates the entries as they were when the loop started', async () => {
      const d = await dict<string, number>([
        ['a', 1],
        ['b', 2],
      ]);
      const seen: [string, number][] = [];
      for await (const entry of d) {
        seen.push(entry);
        await d.set('added during the loop', 3);
      }
      assert.deepEqual(seen, [
        ['a', 1],
        ['b', 2],
      ]);
      assert.equal(await d.size(), 3);
    });

    test('setDefault, pop and update, as Python spells them', async () => {
      const d = await dict<string, number>();
      assert.equal(await d.setDefault('x', 1), 1);
      assert.equal(await d.setDefault('x', 2), 1, 'an existing value stays');
      assert.equal(await d.pop('x'), 1);
      assert.equal(await d.pop('x'), undefined);
      assert.equal(await d.pop('x', -1), -1);
      await d.update(new Map([['a', 1]]));
      await d.update([['b', 2]]);
      await d.update({ c: 3 });
      assert.deepEqual(Object.fromEntries(await d.entries()), { a: 1, b: 2, c: 3 });
      await assert.rejects(d.update(42 as never), TypeError);
      await assert.rejects(d.update([['lonely']] as never), /a \[key, value\] pair/);
    });

    test('update with one refused key changes nothing', async () => {
      const d = await dict<string, number>([['a', 1]]);
      await assert.rejects(
        d.update([
          ['a', 2],
          [{} as never, 3],
        ]),
        TypeError,
      );
      assert.deepEqual(await d.entries(), [['a', 1]]);
    });

    test('keys are compared by value: numbers and strings differ; an object key is refused', async () => {
      const d = await dict<string | number, string>();
      await d.set(1, 'number');
      await d.set('1', 'string');
      await d.set(Number.NaN, 'nan');
      assert.deepEqual(
        [await d.get(1), await d.get('1'), await d.get(Number.NaN)],
        ['number', 'string', 'nan'],
      );
      await assert.rejects(d.set({ id: 1 } as never, 'x'), /a key must be a string, number/);
      await assert.rejects(d.get([1] as never), TypeError);
      assert.equal(await d.size(), 3);
    });

    test('increment adds atomically: numbers, bigints, a missing key counts as 0', async () => {
      const d = await dict<string, number | bigint | string>([['s', 'text']]);
      assert.equal(await d.increment('n'), 1);
      assert.equal(await d.increment('n', 5), 6);
      assert.equal(await d.increment('big', 2n), 2n);
      await assert.rejects(d.increment('s'), /the value is "text", which cannot be incremented/);
      await assert.rejects(d.increment('big', 1), TypeError, 'a bigint plus a number');
      await assert.rejects(d.increment('n', '1' as never), /by must be a number or a bigint/);
      assert.equal(await d.get('n'), 6);
    });

    test('values are copies on the way in and out, as with Python proxies', async () => {
      const d = await dict<string, { tags: string[] }>();
      const value = { tags: ['a'] };
      await d.set('v', value);
      value.tags.push('changed after set');
      const read = (await d.get('v'))!;
      read.tags.push('changed after get');
      assert.deepEqual(await d.get('v'), { tags: ['a'] });
      assert.notEqual(read, await d.get('v'));
    });

    test('a value that cannot cross is refused at the call with a TypeError naming it; nothing is stored', async () => {
      const d = await dict<string, unknown>();
      await assert.rejects(
        d.set('f', () => 1),
        /SharedDict\.set: argument 1 is function/,
      );
      await assert.rejects(
        d.set('o', { cb() {} }),
        /SharedDict\.set: argument 1 \(Object\) cannot cross/,
      );
      assert.equal(await d.size(), 0);
    });

    test('a dict holding other dicts: the nested ones are handles on the same dicts', async () => {
      const pets = manager.dict({ ferrets: 2, hamsters: 4 });
      const supplies = manager.dict({ water: 10, feed: 3 });
      const d = await dict<string, SharedDict<string, number>>([
        ['pets', pets],
        ['supplies', supplies],
      ]);
      const nestedPets = (await d.get('pets'))!;
      assert.equal(await nestedPets.get('ferrets'), 2);
      await pets.clear();
      assert.deepEqual(
        await nestedPets.toMap(),
        new Map(),
        "a change to the dict shows through the copy's handle",
      );
      await (await d.get('supplies'))!.set('water', 7);
      assert.equal(await supplies.get('water'), 7);
    });
  });

  describe(`SharedList through ${via}`, () => {
    test('append, extend, get and set with negative indexes, length, toArray', async () => {
      const l = await list<number>([1]);
      await l.append(2);
      await l.extend(new Set([3, 4]));
      await l.extend(
        (function* () {
          yield 5;
        })(),
      );
      assert.deepEqual(await l.toArray(), [1, 2, 3, 4, 5]);
      assert.equal(await l.length(), 5);
      assert.equal(await l.get(0), 1);
      assert.equal(await l.get(-1), 5);
      await l.set(-2, 40);
      assert.equal(await l.get(3), 40);
      assert.deepEqual(await l.slice(1, -1), [2, 3, 40]);
      assert.deepEqual(await l.slice(-2), [40, 5]);
    });

    test('for await iterates the items as they were when the loop started', async () => {
      const l = await list(['x', 'y']);
      const seen: string[] = [];
      for await (const item of l) {
        seen.push(item);
        await l.append(`after ${item}`);
      }
      assert.deepEqual(seen, ['x', 'y']);
      assert.equal(await l.length(), 4);
    });

    test('an index outside the list rejects with RangeError; a non-integer one with TypeError', async () => {
      const l = await list(['a', 'b']);
      await assert.rejects(
        l.get(2),
        /SharedList\.get\(2\): index out of range \(the list has 2 items\)/,
      );
      await assert.rejects(l.get(-3), RangeError);
      await assert.rejects(l.set(5, 'x'), RangeError);
      await assert.rejects(l.get(1.5), /index must be an integer, got number 1\.5/);
      await assert.rejects(l.get('0' as never), TypeError);
      await assert.rejects(l.extend(7 as never), /items must be iterable/);
      assert.deepEqual(await l.toArray(), ['a', 'b']);
    });

    test('pop takes the last item by default, or the one at an index; an empty list rejects', async () => {
      const l = await list([1, 2, 3]);
      assert.equal(await l.pop(), 3);
      assert.equal(await l.pop(0), 1);
      assert.equal(await l.pop(-1), 2);
      await assert.rejects(l.pop(), /SharedList\.pop\(\): the list is empty/);
    });

    test('insert before an index; past either end it inserts at that end, as in Python', async () => {
      const l = await list(['b', 'd']);
      await l.insert(1, 'c');
      await l.insert(-100, 'a');
      await l.insert(100, 'e');
      await l.insert(-1, 'd-');
      assert.deepEqual(await l.toArray(), ['a', 'b', 'c', 'd', 'd-', 'e'], '-1: before the last');
    });

    test('remove and indexOf compare by deep equality (items are copies)', async () => {
      const l = await list<unknown>([{ id: 1 }, [1, 2], { id: 1 }]);
      assert.equal(await l.indexOf({ id: 1 }), 0);
      assert.equal(await l.indexOf([1, 2]), 1);
      assert.equal(await l.indexOf({ id: 2 }), -1);
      assert.equal(await l.remove({ id: 1 }), true);
      assert.deepEqual(await l.toArray(), [[1, 2], { id: 1 }], 'only the first one goes');
      assert.equal(await l.remove('absent'), false);
      await l.clear();
      assert.equal(await l.length(), 0);
    });

    test('a list holding a queue: the item is a working handle on the same queue', async () => {
      const queue: Queue<number> = manager.queue();
      const l = await list<Queue<number>>([queue]);
      const item = (await l.get(0)) as unknown as QueueHandle<number>;
      assert.ok(item instanceof QueueHandle);
      await item.put(5);
      assert.equal(queue.getNowait(), 5);
    });
  });

  describe(`SharedNamespace through ${via}`, () => {
    test('named values: get, set, has, delete, toObject; a name never set reads as undefined', async () => {
      const ns = await reach<SharedNamespace>(manager.namespace({ name: 'Bob' }));
      await ns.set('job', 'Builder');
      assert.equal(await ns.get('name'), 'Bob');
      assert.equal(await ns.get('job'), 'Builder');
      assert.equal(await ns.get('hobby'), undefined);
      assert.deepEqual(await ns.toObject(), { name: 'Bob', job: 'Builder' });
      assert.equal(await ns.delete('job'), true);
      assert.equal(await ns.has('job'), false);
      assert.equal(await ns.delete('job'), false);
      assert.deepEqual(await ns.toObject(), { name: 'Bob' });
    });

    test('increment; a name that is not a string is refused', async () => {
      const ns = await reach(manager.namespace({ done: 0, label: 'x' }));
      assert.equal(await ns.increment('done'), 1);
      assert.equal(await ns.increment('done', 2), 3);
      await assert.rejects(ns.increment('label' as never), TypeError);
      await assert.rejects(
        ns.get(1 as never),
        /SharedNamespace\.get\(\): name must be a string, got number 1/,
      );
    });

    test("'__proto__' is a name like any other: toObject() gets it as its own property", async () => {
      const ns = await reach<SharedNamespace>(manager.namespace());
      await ns.set('__proto__', { polluted: true });
      const copy = await ns.toObject();
      assert.deepEqual(Object.keys(copy), ['__proto__']);
      assert.equal(Object.getPrototypeOf(copy), Object.prototype);
      assert.equal((copy as { polluted?: boolean }).polluted, undefined);
    });
  });
}
