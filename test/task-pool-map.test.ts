// TaskPool.map, imap and imapUnordered: results in order or as they come, input pulled only as
// slots free up, failures and early exits stopping the rest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledError, Event, sleep, spawn, TaskPool } from '../src/index.js';
import { Cancelled, TEST_OPTIONS, tick, until } from './support/async-helpers.js';

/** An input that records how far it was pulled and whether it was closed. */
function source(count: number) {
  const state = { pulled: 0, closed: false };
  function* items() {
    try {
      for (let i = 0; i < count; i++) {
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, items: items() };
}

/** Resolves after `ms` milliseconds with `value` (later items finish first when given smaller delays). */
const after = <T>(ms: number, value: T) => sleep(ms).then(() => value);

describe('TaskPool.map', TEST_OPTIONS, () => {
  test('results come in input order whatever order the tasks end in', async () => {
    const pool = new TaskPool(3);
    const delays = [8, 1, 5, 2, 0, 3];
    assert.deepEqual(
      await pool.map((ms: number) => after(ms, ms * 10), delays),
      delays.map((ms) => ms * 10),
    );
  });

  test('pulls the input only as slots free up, never more than size ahead of what finished', async () => {
    const pool = new TaskPool(2);
    const { state, items } = source(20);
    let finished = 0;
    let running = 0;
    let maxRunning = 0;
    const results = await pool.map(async (i: number) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      assert.ok(state.pulled - finished <= 2, `pulled ${state.pulled} with ${finished} finished`);
      await tick();
      running--;
      finished++;
      return i;
    }, items);
    assert.equal(results.length, 20);
    assert.equal(maxRunning, 2);
  });

  test('takes async iterables, and an empty input gives []', async () => {
    async function* numbers() {
      for (let i = 1; i <= 4; i++) {
        await tick();
        yield i;
      }
    }
    const pool = new TaskPool(2);
    assert.deepEqual(await pool.map(async (n: number) => n * n, numbers()), [1, 4, 9, 16]);
    assert.deepEqual(await pool.map((n: number) => n, []), []);
  });

  test('the first failure stops pulling, kills what runs and rejects once that has ended', async () => {
    const pool = new TaskPool(3);
    const { state, items } = source(100);
    const stopped: number[] = [];
    const error = new Error('item 4 failed');
    await assert.rejects(
      pool.map(async (i: number) => {
        if (i === 4) {
          await tick();
          throw error;
        }
        try {
          await sleep(i < 4 ? 0 : 60_000);
        } catch (e) {
          assert.ok(e instanceof CancelledError);
          await new Promise((resolve) => setTimeout(resolve, 2)); // cleanup that takes a while
          stopped.push(i);
          throw e;
        }
        return i;
      }, items),
      error,
    );
    assert.deepEqual(stopped.sort(), [5, 6], 'the two still running were killed and had ended');
    assert.equal(state.closed, true, 'the input was closed');
    assert.ok(state.pulled <= 8);
    assert.equal(pool.running, 0);
  });

  test('an input that throws rejects the map', async () => {
    function* broken() {
      yield 1;
      throw new Error('input broke');
    }
    await assert.rejects(
      new TaskPool(2).map(async (n: number) => n, broken()),
      /input broke/,
    );
  });

  test('bad arguments reject', async () => {
    const pool = new TaskPool(2);
    await assert.rejects(pool.map(5 as never, [1]), TypeError);
    await assert.rejects(
      pool.map((n: number) => n, 5 as never),
      TypeError,
    );
  });

  test('a kill of the calling task stops the map and rejects it with the reason', async () => {
    const pool = new TaskPool(2);
    const started = new Event();
    const caller = spawn(() =>
      pool.map(async (i: number) => {
        started.set();
        await sleep(60_000);
        return i;
      }, source(10).items),
    );
    await started.wait();
    const reason = new Cancelled('caller killed');
    await caller.kill(reason);
    assert.equal(caller.exception, reason);
    assert.equal(pool.running, 0);
  });

  test('map and spawn share the slots', async () => {
    const pool = new TaskPool(2);
    let running = 0;
    let max = 0;
    const work = async (i: number) => {
      running++;
      max = Math.max(max, running);
      await tick();
      running--;
      return i;
    };
    const spawned = [pool.spawn(work, -1), pool.spawn(work, -2)];
    const mapped = pool.map(work, [1, 2, 3, 4]);
    const more = pool.spawn(work, -3);
    assert.deepEqual(await mapped, [1, 2, 3, 4]);
    await Promise.all([...spawned, more]);
    assert.equal(max, 2);
  });

  test('synchronous functions over a long input do not grow the stack', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => i);
    const results = await new TaskPool(1).map((i: number) => i * 2, items);
    assert.equal(results[19_999], 39_998);
  });
});

describe('TaskPool.imap and imapUnordered', TEST_OPTIONS, () => {
  test('imap yields in input order; imapUnordered as the results come', async () => {
    const pool = new TaskPool(4);
    // Due times 20 ms apart: Node clamps a 0 ms timer to 1 ms, so 0 and 1 could fire in either order.
    const delays = [60, 20, 40, 0];
    const ordered: number[] = [];
    for await (const ms of pool.imap((ms: number) => after(ms, ms), delays)) ordered.push(ms);
    assert.deepEqual(ordered, delays);
    const unordered: number[] = [];
    for await (const ms of pool.imapUnordered((ms: number) => after(ms, ms), delays))
      unordered.push(ms);
    assert.deepEqual(unordered, [0, 20, 40, 60]);
  });

  test('nothing starts before the first next(), and a slow consumer slows the input down', async () => {
    const pool = new TaskPool(2);
    const { state, items } = source(100);
    const iterator = pool.imap(async (i: number) => i, items);
    await tick(3);
    assert.equal(state.pulled, 0);
    assert.deepEqual(await iterator.next(), { done: false, value: 0 });
    await tick(5);
    assert.ok(state.pulled <= 5, `at most 2 x size waiting or running (pulled ${state.pulled})`);
    const rest: number[] = [];
    for await (const i of iterator) rest.push(i);
    assert.equal(rest.length, 99);
    assert.equal(state.closed, true);
  });

  test('breaking out of the loop stops the input, kills what runs and waits for it', async () => {
    const pool = new TaskPool(3);
    const { state, items } = source(100);
    const cleanedUp: number[] = [];
    for await (const i of pool.imapUnordered(async (i: number) => {
      if (i === 0) return i;
      try {
        await sleep(60_000);
      } finally {
        cleanedUp.push(i);
      }
      return i;
    }, items)) {
      assert.equal(i, 0);
      break;
    }
    assert.equal(
      cleanedUp.length,
      3,
      'the items running at the break had ended before it returned',
    );
    assert.equal(state.closed, true);
    assert.equal(pool.running, 0);
  });

  test('imap throws a failure at its turn, after the results before it', async () => {
    const pool = new TaskPool(3);
    const seen: number[] = [];
    const iterate = async () => {
      for await (const i of pool.imap(async (i: number) => {
        if (i === 2) throw new Error('item 2 failed');
        await sleep(i === 1 ? 5 : 0);
        return i;
      }, source(10).items))
        seen.push(i);
    };
    await assert.rejects(iterate(), /item 2 failed/);
    assert.deepEqual(seen, [0, 1]);
    assert.equal(pool.running, 0);
  });

  test('an async input that fails ends the iteration with its error after what came before', async () => {
    async function* broken() {
      yield 1;
      yield 2;
      throw new Error('input broke');
    }
    const seen: number[] = [];
    const iterate = async () => {
      for await (const n of new TaskPool(2).imap(async (n: number) => n, broken())) seen.push(n);
    };
    await assert.rejects(iterate(), /input broke/);
    assert.deepEqual(seen, [1, 2]);
  });

  test('killing the pool ends a running iteration with the kill reason', async () => {
    const pool = new TaskPool(2);
    const started = new Event();
    const iterator = pool.imap(async (i: number) => {
      started.set();
      await sleep(60_000);
      return i;
    }, source(10).items);
    const next = iterator.next();
    await started.wait();
    await until(() => pool.running === 2, 'both slots busy');
    const reason = new Cancelled('pool killed');
    await pool.kill(reason);
    await assert.rejects(next, reason);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  test('a kill of the consuming task while it waits for a result stops the iteration', async () => {
    const pool = new TaskPool(2);
    const { state, items } = source(10);
    const cleanedUp: number[] = [];
    const consumer = spawn(async () => {
      for await (const i of pool.imap(async (i: number) => {
        try {
          await sleep(60_000);
        } finally {
          cleanedUp.push(i);
        }
        return i;
      }, items))
        return i;
    });
    await until(() => pool.running === 2, 'both slots busy');
    const reason = new Cancelled('consumer killed');
    await consumer.kill(reason);
    assert.equal(consumer.exception, reason);
    assert.deepEqual(
      cleanedUp.sort(),
      [0, 1],
      'the running items were stopped before the consumer ended',
    );
    assert.equal(state.closed, true);
    assert.equal(pool.running, 0);
  });

  test('bad arguments throw at once', () => {
    const pool = new TaskPool(2);
    assert.throws(() => pool.imap(5 as never, [1]), TypeError);
    assert.throws(() => pool.imapUnordered((n: number) => n, null as never), TypeError);
  });
});
