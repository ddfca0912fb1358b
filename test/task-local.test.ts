// TaskLocal: one value per task, following the task through awaits; copied into tasks at spawn
// (contextvars semantics); one shared set of values outside tasks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sleep, spawn, TaskGroup, TaskLocal, TaskPool } from '../src/index.js';
import { TEST_OPTIONS, tick } from './support/async-helpers.js';

describe('TaskLocal', TEST_OPTIONS, () => {
  test('get gives the default (or undefined) until a value is set', async () => {
    const withDefault = new TaskLocal<string>('none');
    const without = new TaskLocal<number>();
    await spawn(() => {
      assert.equal(withDefault.get(), 'none');
      assert.equal(without.get(), undefined);
      assert.equal(withDefault.isSet(), false);
    });
    const explicitUndefined = new TaskLocal<string | undefined>(undefined);
    assert.equal(explicitUndefined.get(), undefined);
  });

  test('each task sees its own value, through awaits and interleaving', async () => {
    const requestId = new TaskLocal<string>('none');
    const handle = async (id: string, ms: number) => {
      requestId.set(id);
      await sleep(ms);
      const afterSleep = requestId.get();
      await tick();
      return [afterSleep, requestId.get()];
    };
    const results = await Promise.all([
      spawn(handle, 'a', 6),
      spawn(handle, 'b', 1),
      spawn(handle, 'c', 3),
    ]);
    assert.deepEqual(results, [
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
  });

  test('a task starts with a copy of its spawner values; later sets on either side stay apart', async () => {
    const user = new TaskLocal<string>('nobody');
    const log: string[] = [];
    await spawn(async () => {
      user.set('alice');
      const child = spawn(async () => {
        log.push(`child sees ${user.get()}`);
        await tick(2);
        log.push(`child still sees ${user.get()}`);
        user.set('bob');
        log.push(`child set ${user.get()}`);
      });
      user.set('carol'); // after spawn(): not seen by the child, which copied at spawn time
      await child;
      log.push(`parent sees ${user.get()}`);
    });
    assert.deepEqual(log, [
      'child sees alice',
      'child still sees alice',
      'child set bob',
      'parent sees carol',
    ]);
  });

  test('set returns a Disposable that puts the previous value back', async () => {
    const level = new TaskLocal<number>(0);
    await spawn(() => {
      {
        using _outer = level.set(1);
        {
          using _inner = level.set(2);
          assert.equal(level.get(), 2);
        }
        assert.equal(level.get(), 1);
      }
      assert.equal(level.get(), 0);
      assert.equal(
        level.isSet(),
        false,
        'back to no value at all, not a value equal to the default',
      );
    });
  });

  test('delete removes the value: get gives the default again', async () => {
    const name = new TaskLocal<string>('default');
    await spawn(() => {
      name.set('set');
      assert.equal(name.isSet(), true);
      name.delete();
      assert.equal(name.get(), 'default');
      name.delete(); // deleting nothing is fine
    });
  });

  test('outside tasks all code shares one value, which tasks spawned from there start with', async () => {
    const config = new TaskLocal<string>('unset');
    const restore = config.set('from the top level');
    try {
      const seen = await spawn(async () => {
        const first = config.get();
        config.set('changed in the task');
        return first;
      });
      assert.equal(seen, 'from the top level');
      assert.equal(config.get(), 'from the top level', 'a task does not change the outside value');
      assert.equal(
        await new Promise((resolve) => setTimeout(() => resolve(config.get()), 1)),
        'from the top level',
      );
    } finally {
      restore[Symbol.dispose]();
    }
    assert.equal(config.get(), 'unset');
  });

  test('children of a TaskGroup and tasks of a TaskPool start with the values of whoever spawned them', async () => {
    const tenant = new TaskLocal<string>('none');
    const pool = new TaskPool(1);
    const seen = await spawn(async () => {
      tenant.set('acme');
      const inGroup = await TaskGroup.run((tg) => tg.spawn(() => tenant.get()));
      const inPool = await pool.spawn(() => tenant.get());
      const inMap = await pool.map(() => tenant.get(), [1, 2]);
      return { inGroup, inPool, inMap };
    });
    assert.deepEqual(seen, { inGroup: 'acme', inPool: 'acme', inMap: ['acme', 'acme'] });
  });
});
