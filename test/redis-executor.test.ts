// RedisExecutor with RedisWorkers in this process: values and errors through Redis, map,
// refusals at the call, the allow-list, retries and dead letters. Cancels, timeouts, close
// and the modes: redis-executor-control.test.ts; worker processes: redis-worker-process.test.ts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Queue, RuntimeError } from '../src/index.js';
import { ModuleNotAllowedError, RedisDeadLetters, RedisExecutor } from '../src/redis/index.js';
import * as t from './fixtures/redis-tasks.js';
import { linesOf, redisExecutorHarness, until } from './support/redis-executors.js';

const FILE = { timeout: 120_000 };
const h = redisExecutorHarness();

describe('RedisExecutor: values and errors', FILE, () => {
  test('submit gives the value; { module, name } and functions named unlike their export work', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    assert.equal(await executor.submit(t.add, 2, 3), 5);
    assert.equal(await executor.submit<number>({ module: t.TASKS, name: 'add' }, 6, 7), 13);
    assert.equal(t.timesThree.name, 'triple');
    assert.equal(await executor.submit(t.timesThree, 5), 15);
    assert.equal(await executor.submit(t.sleepMs, 5), 5, 'async functions are awaited');
    assert.equal(await executor.submit(t.noop), undefined);
  });

  test('values that JSON cannot carry come back as they were sent', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    const value = {
      map: new Map([['k', [1, 2]]]),
      set: new Set([1]),
      date: new Date(0),
      bytes: new Uint8Array([1, 2, 3]),
      nothing: undefined,
      big: 10n,
      negativeZero: -0,
    };
    assert.deepEqual(await executor.submit(t.identity, value), value);
    assert.equal(Object.is(await executor.submit(t.identity, -0), -0), true);
    assert.equal(await executor.submit(t.identity, 'plain text'), 'plain text');
  });

  test('an error comes back with its class name, message, stack and fields', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    await assert.rejects(
      executor.submit(t.fail, 'no stock').result(),
      (error: Error & Record<string, unknown>) => {
        assert.equal(error.name, 'OrderError');
        assert.equal(error.message, 'no stock');
        assert.equal(error.code, 'E_ORDER');
        assert.equal(error.order, 42);
        assert.match(error.stack ?? '', /redis-tasks/);
        return true;
      },
    );
  });

  test('many submits complete with the right values, over two workers', async () => {
    const queue = h.queue();
    await h.worker(queue);
    await h.worker(queue);
    const executor = h.executor(queue);
    const futures = Array.from({ length: 2_000 }, (_, i) => executor.submit(t.add, i, 1));
    assert.deepEqual(
      await Promise.all(futures),
      Array.from({ length: 2_000 }, (_, i) => i + 1),
    );
    assert.equal(executor.outstanding, 0);
  });

  test('map yields in input order; leaving early cancels what is outstanding', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    const results: number[] = [];
    for await (const value of executor.map(t.timesThree, [1, 2, 3, 4, 5])) results.push(value);
    assert.deepEqual(results, [3, 6, 9, 12, 15]);
    const lazy = executor.map(
      t.timesThree,
      (function* () {
        for (let i = 0; ; i++) yield i;
      })(),
      { window: 8 },
    );
    const some: number[] = [];
    for await (const value of lazy) {
      some.push(value);
      if (some.length === 20) break;
    }
    assert.deepEqual(
      some,
      Array.from({ length: 20 }, (_, i) => i * 3),
    );
    await until(() => executor.outstanding === 0, 'the tasks left are cancelled');
  });

  test('map: a failing task ends the iteration with its error', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const value of executor.map(t.fail, ['a'])) seen.push(value);
    }, /a/);
    assert.deepEqual(seen, []);
  });
});

describe('RedisExecutor: refusals at the call', FILE, () => {
  test('an unmarked function, or an argument that cannot cross, is a TypeError saying what to do', () => {
    const executor = h.executor(h.queue());
    assert.throws(
      () => executor.submit((() => 1) as unknown as typeof t.noop),
      /portable\(import\.meta\.url/,
    );
    assert.throws(() => executor.submit(t.identity, () => 1), TypeError);
    assert.throws(() => executor.submit(t.identity, Symbol('s')), TypeError);
    assert.throws(
      () => executor.submit(t.identity, { queue: new Queue() }),
      /weft primitive.*cannot travel through Redis/,
    );
    class WithMethod {
      m() {}
    }
    assert.throws(() => executor.submit(t.identity, new WithMethod()), TypeError);
    assert.equal(executor.outstanding, 0, 'nothing was submitted');
  });

  test('bad options are refused at the call', () => {
    assert.throws(
      () => new RedisExecutor({ queue: 'x', redis: 'redis://h', colour: 1 } as never),
      /unknown option "colour"/,
    );
    assert.throws(() => new RedisExecutor({ queue: 'has space' }), TypeError);
    assert.throws(() => new RedisExecutor(undefined as never), TypeError);
    const executor = h.executor(h.queue());
    assert.throws(() => executor.submitWith({ retries: -1 }, t.noop), RangeError);
    assert.throws(() => executor.submitWith({ retries: 1.5 }, t.noop), RangeError);
    assert.throws(
      () => executor.submitWith({ retries: 2, backoff: () => Number.NaN }, t.noop),
      /retry 1/,
    );
    assert.throws(() => executor.submitWith({ backoff: 'slow' as never }, t.noop), TypeError);
    assert.throws(() => executor.submitWith({ timeout: -1 }, t.noop), RangeError);
    assert.throws(
      () => executor.submitWith({ priority: 1 } as never, t.noop),
      /unknown option "priority"/,
    );
    assert.throws(
      () => executor.map(t.noop, [], { chunksize: 2 } as never),
      /unknown option "chunksize"/,
    );
  });

  test('after shutdown, submit and map throw RuntimeError', async () => {
    const executor = h.executor(h.queue());
    await executor.shutdown();
    assert.throws(() => executor.submit(t.noop), RuntimeError);
    assert.throws(() => executor.map(t.noop, [1]), RuntimeError);
    await executor.shutdown(); // again: fine
  });
});

describe('RedisWorker: the allow-list', FILE, () => {
  test('a task naming another module fails naming it and the list, and the module is never loaded', async () => {
    const marker = h.file('side-effect');
    process.env.WEFT_TEST_SIDE_EFFECT = marker;
    try {
      const queue = h.queue();
      const worker = await h.worker(queue);
      const executor = h.executor(queue);
      const forbidden = new URL('./fixtures/redis-side-effect.ts', import.meta.url).href;
      await assert.rejects(
        executor.submit({ module: forbidden, name: 'forbidden' }).result(),
        (error: Error) => {
          assert.ok(error instanceof ModuleNotAllowedError);
          assert.ok(error.message.includes(forbidden), error.message);
          assert.ok(error.message.includes(worker.modules[0]!), error.message);
          return true;
        },
      );
      assert.equal(existsSync(marker), false, 'the refused module was not loaded');
    } finally {
      delete process.env.WEFT_TEST_SIDE_EFFECT;
    }
  });

  test('modules are matched as real files: a path given another way names the same module', async () => {
    const queue = h.queue();
    const relative = fileURLToPath(t.TASKS).replace(`${process.cwd()}/`, './');
    const worker = await h.worker(queue, { modules: [relative] });
    assert.deepEqual(worker.modules, [t.TASKS]);
    assert.equal(await h.executor(queue).submit(t.add, 1, 1), 2);
  });

  test('a module that does not exist is refused at the constructor', async () => {
    await assert.rejects(
      h.worker(h.queue(), { modules: ['./no/such/module.js'] }),
      /does not exist/,
    );
    await assert.rejects(h.worker(h.queue(), { modules: [] }), /non-empty array/);
  });
});

describe('RedisExecutor: retries and dead letters', FILE, () => {
  test('a failing task is retried after its backoff, then succeeds', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    const path = h.file('flaky');
    const asked: number[] = [];
    const backoff = (attempt: number) => {
      asked.push(attempt);
      return 50 * attempt;
    };
    const start = performance.now();
    assert.equal(await executor.submitWith({ retries: 3, backoff }, t.flaky, path, 3), 3);
    assert.ok(performance.now() - start >= 50 + 100, 'the retries waited for their backoff');
    assert.deepEqual(asked, [1, 2, 3], 'the delays are computed at the submit');
    assert.deepEqual(linesOf(path), ['try', 'try', 'try']);
    await using dead = new RedisDeadLetters(queue, { redis: h.url });
    assert.equal(await dead.count(), 0);
  });

  test('after its retries a task goes to the dead letters; redrive runs it again', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    const path = h.file('dead');
    await assert.rejects(
      executor.submitWith({ retries: 1, backoff: 10 }, t.flaky, path, 4).result(),
      /try 2 fails/,
    );
    const dead = executor.deadLetters();
    try {
      assert.equal(await dead.count(), 1);
      const [letter] = await dead.list();
      assert.ok(letter !== undefined);
      assert.equal(letter.attempts, 2);
      assert.equal(letter.task, `${t.TASKS}#flaky`);
      assert.deepEqual(letter.args, [path, 4]);
      assert.equal((letter.error as Error).name, 'Error');
      assert.equal((letter.error as Error).message, 'try 2 fails');
      assert.match((letter.error as Error).stack ?? '', /redis-tasks/);
      assert.ok(letter.time instanceof Date);
      assert.equal((await dead.get(letter.id))?.id, letter.id);
      // Re-driven with its retries anew: tries 3 fails, 4 succeeds.
      assert.equal(await dead.redrive(letter.id), true);
      assert.equal(await dead.redrive(letter.id), false, 'gone from the dead letters');
      await until(() => linesOf(path).length === 4, 'the re-driven task ran twice more');
      await until(async () => (await dead.count()) === 0, 'nothing is dead');
      assert.equal(await dead.remove('no-such-id'), false);
    } finally {
      await dead.close();
    }
  });

  test('remove drops a dead letter', async () => {
    const queue = h.queue();
    await h.worker(queue);
    const executor = h.executor(queue);
    await assert.rejects(executor.submit(t.fail, 'x').result());
    const dead = new RedisDeadLetters(queue, { redis: h.url });
    try {
      const [letter] = await dead.list({ count: 10 });
      assert.equal(await dead.remove(letter!.id), true);
      assert.equal(await dead.count(), 0);
      assert.throws(
        () => new RedisDeadLetters(queue, { redis: h.url, extra: 1 } as never),
        /unknown option/,
      );
    } finally {
      await dead.close();
    }
  });
});
