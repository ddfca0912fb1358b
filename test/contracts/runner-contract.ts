// The behaviours Thread and Process share (CPython's test_threading and test_multiprocessing:
// start twice, join before start, join with a timeout, is_alive, names, the daemon flag), plus
// weft's result, exception, exitCode, terminate and the checks made at the call, run against
// each runner. What only one of them does stays in its own files (thread.test.ts,
// process.test.ts, thread-daemon.test.ts, process-orphans.test.ts, ...).
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { Event, move, Queue, RuntimeError } from '../../src/index.js';
import { plain } from '../fixtures/portable-fns.js';
import { WORKER_SUITE as SUITE } from '../support/async-helpers.js';
import { type RunnerImpl, runnerTracker } from '../support/runners.js';
import { runnerExceptionContract } from './runner-contract-exceptions.js';

export function runnerContract(impl: RunnerImpl): void {
  const t = impl.targets;

  describe(`${impl.name}: running a target`, SUITE, () => {
    const { run, started, end } = runnerTracker();
    after(end);

    test('runs TypeScript targets with their arguments and keeps the return value', async () => {
      const [sum, product] = await Promise.all([
        run(impl.create(t.add, { args: [2, 3] })),
        run(impl.create(t.slowMultiply, { args: [6, 7] })),
      ]);
      assert.equal(sum.result, 5);
      assert.equal(sum.exception, undefined);
      assert.equal(sum.exitCode, 0);
      assert.equal(product.result, 42, "an async target's promise is awaited");
    });

    test('accepts { module, name } as the target', async () => {
      const runner = await run(impl.create({ module: t.TARGETS, name: 'add' }, { args: [40, 2] }));
      assert.equal(runner.result, 42);
    });

    test('a portable arrow function, which has no name of its own, is found by its export', async () => {
      assert.equal(t.shout.name, '');
      const runner = await run(impl.create(t.shout, { args: ['abc'] }));
      assert.equal(runner.result, 'ABC');
    });

    test('arguments and the result cross as clones, nested lists and tuples alike', async () => {
      const args = [
        [1, [2, [3]]],
        ['str'],
        { nested: { deep: 'yes' } },
        new Map([['k', new Set([1, 2])]]),
        new Date(0),
        10n ** 20n,
        new Uint8Array([1, 2, 3]),
        undefined,
        null,
      ];
      const runner = await run(impl.create(t.echo, { args }));
      assert.deepEqual(runner.result, args);
    });

    test('a moved buffer is sent in (transferred where the kind can, else copied)', async () => {
      const bytes = new Uint8Array([1, 2, 3, 4]);
      const runner = await run(impl.create(t.sumBytes, { args: [move(bytes)] }));
      assert.equal(runner.result, 10);
      assert.equal(bytes.byteLength, impl.movesBuffers ? 0 : 4);
    });

    test("a weft Queue passed as an argument is used through a handle on the parent's queue", async () => {
      const queue = new Queue<number>(1);
      const runner = started(impl.create(t.produce, { args: [queue, 3] }));
      const items = [];
      for (let i = 0; i < 3; i++) items.push(await queue.get({ timeout: 60_000 }));
      assert.deepEqual(items, [0, 1, 2]);
      assert.equal(await runner.join(), true);
      assert.equal(runner.result, 'produced');
    });

    test('a target that returns nothing gives undefined', async () => {
      const runner = await run(impl.create(t.nothing));
      assert.equal(runner.result, undefined);
      assert.equal(runner.exitCode, 0);
    });

    test('it ends when its target returns, whatever timers it left', async () => {
      const runner = await run(impl.create(t.leaveTimer));
      assert.equal(runner.result, 'returned');
      assert.equal(runner.exitCode, 0);
      assert.equal(runner.isAlive(), false);
    });
  });

  describe(`${impl.name}: lifecycle`, SUITE, () => {
    const { run, started, end } = runnerTracker();
    after(end);

    /** A runner that waits for `go`, started, once it runs. */
    async function running(
      answer?: string,
    ): Promise<{ runner: ReturnType<typeof impl.create>; go: Event }> {
      const isRunning = new Event();
      const go = new Event();
      const runner = started(impl.create(t.waitForGo, { args: [isRunning, go, answer] }));
      assert.equal(await isRunning.wait({ timeout: 60_000 }), true, 'the target started');
      return { runner, go };
    }

    test('start() twice throws RuntimeError; the target still runs once', async () => {
      const runner = started(impl.create(t.add, { args: [1, 1] }));
      assert.throws(() => runner.start(), RuntimeError);
      assert.equal(await runner.join(), true);
      assert.equal(runner.result, 2);
      assert.throws(() => runner.start(), RuntimeError);
    });

    test('join() and terminate() before start() reject with RuntimeError; nothing is set', async () => {
      const runner = impl.create(t.nothing);
      await assert.rejects(runner.join(), RuntimeError);
      await assert.rejects(runner.join({ timeout: 0 }), RuntimeError);
      await assert.rejects(runner.terminate(), RuntimeError);
      assert.equal(runner.isAlive(), false);
      assert.equal(runner.ident, undefined);
      assert.equal(runner.exitCode, null);
    });

    test('isAlive: false before start, true while running, false once joined', async () => {
      const isRunning = new Event();
      const go = new Event();
      const runner = impl.create(t.waitForGo, { args: [isRunning, go] });
      assert.equal(runner.isAlive(), false);
      started(runner);
      assert.equal(runner.isAlive(), true);
      assert.equal(await isRunning.wait({ timeout: 60_000 }), true);
      assert.equal(runner.isAlive(), true);
      go.set();
      assert.equal(await runner.join(), true);
      assert.equal(runner.isAlive(), false);
      assert.equal(runner.result, 'released');
    });

    test('join({ timeout }) resolves false while it runs, true once it ended', async () => {
      const { runner, go } = await running();
      assert.equal(await runner.join({ timeout: 20 }), false);
      assert.equal(await runner.join({ timeout: 0 }), false);
      assert.equal(runner.isAlive(), true);
      go.set();
      assert.equal(await runner.join({ timeout: 60_000 }), true);
      assert.equal(await runner.join({ timeout: 0 }), true);
    });

    test('join: bad options reject; an aborted signal rejects with its reason', async () => {
      const { runner, go } = await running();
      await assert.rejects(runner.join({ timeout: -1 }), RangeError);
      await assert.rejects(runner.join({ timeout: Number.NaN }), TypeError);
      const reason = new Error('stop waiting');
      await assert.rejects(runner.join({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
      const controller = new AbortController();
      const waiting = runner.join({ signal: controller.signal });
      controller.abort(reason);
      await assert.rejects(waiting, (e) => e === reason);
      go.set();
      assert.equal(await runner.join(), true);
    });

    test('terminate() stops it: no result, no exception, the exit code of its kind', async () => {
      const runner = started(impl.create(t.neverEnds));
      const joined = runner.join();
      await runner.terminate();
      assert.equal(await joined, true);
      assert.equal(runner.isAlive(), false);
      assert.equal(runner.exitCode, impl.terminatedExitCode);
      assert.equal(runner.result, undefined);
      assert.equal(runner.exception, undefined);
      await runner.terminate(); // once ended, nothing more to do
      assert.equal(runner.exitCode, impl.terminatedExitCode);
    });

    test('exitCode, result and exception stay unset until it has ended', async () => {
      const { runner, go } = await running();
      assert.equal(runner.exitCode, null);
      assert.equal(runner.result, undefined);
      go.set();
      await runner.join();
      assert.equal(runner.exitCode, 0);
      assert.equal(runner.result, 'released');
    });

    test('ident: undefined before start, a number after, kept once ended; distinct', async () => {
      const one = impl.create(t.nothing);
      const two = impl.create(t.nothing);
      assert.equal(one.ident, undefined);
      await Promise.all([run(one), run(two)]);
      assert.equal(typeof one.ident, 'number');
      assert.notEqual(one.ident, two.ident);
    });
  });

  describe(`${impl.name}: names and the daemon flag`, SUITE, () => {
    const { run, started, end } = runnerTracker();
    after(end);

    test('default names count up across the process', () => {
      const first = impl.create(t.add);
      const second = impl.create({ module: t.TARGETS, name: 'echo' });
      const a = impl.defaultName('add').exec(first.name);
      const b = impl.defaultName('echo').exec(second.name);
      assert.ok(a && b, `${first.name} / ${second.name}`);
      assert.equal(Number(b[1]), Number(a[1]) + 1);
    });

    test('a given name is used as it is; an empty name gets the default; numbers become strings', () => {
      assert.equal(impl.create(t.add, { name: 'myname1' }).name, 'myname1');
      assert.equal(impl.create(t.add, { name: 123 as unknown as string }).name, '123');
      assert.match(impl.create(t.add, { name: '' }).name, impl.defaultName('add'));
    });

    test('the target sees its own name and daemon flag, and that it is alive', async () => {
      const runner = await run(
        impl.create(t.selfReport, { args: [impl.kind], name: 'worker one', daemon: true }),
      );
      assert.deepEqual(runner.result, { name: 'worker one', daemon: true, alive: true });
    });

    test('the daemon flag defaults to false here and can be set only before start(), only to booleans', async () => {
      assert.equal(impl.create(t.nothing).daemon, false);
      assert.equal(impl.create(t.nothing, { daemon: false }).daemon, false);
      assert.equal(impl.create(t.nothing, { daemon: true }).daemon, true);
      const runner = impl.create(t.nothing);
      runner.daemon = true;
      assert.equal(runner.daemon, true);
      assert.throws(() => {
        runner.daemon = 1 as unknown as boolean;
      }, TypeError);
      started(runner);
      assert.throws(() => {
        runner.daemon = false;
      }, RuntimeError);
      await runner.join();
      assert.equal(runner.daemon, true);
    });
  });

  describe(`${impl.name}: checks at the call`, SUITE, () => {
    test('an unmarked function or a bad target is refused with a TypeError saying how to fix it', () => {
      assert.throws(() => impl.create(plain), /export const plain = portable\(import\.meta\.url/);
      assert.throws(() => impl.create(() => 1), TypeError);
      assert.throws(() => impl.create({ module: t.TARGETS }), /\{ module, name \}/);
    });

    test('an argument that cannot cross is refused at construction, naming it', () => {
      assert.throws(
        () => impl.create(t.echo, { args: [1, () => 2] }),
        (e: Error) => e instanceof TypeError && /argument 1/.test(e.message),
      );
      const socket = new Socket();
      try {
        assert.throws(
          () => impl.create(t.echo, { args: ['ok', 'ok', socket] }),
          (e: Error) => e instanceof TypeError && /argument 2/.test(e.message),
        );
      } finally {
        socket.destroy();
      }
      assert.throws(
        () => impl.create(t.echo, { args: [{ nested: { fn: Math.max } }] }),
        (e: Error) => e instanceof TypeError && /argument 0/.test(e.message),
      );
    });

    test('options are checked: args, daemon, the options object itself', () => {
      assert.throws(() => impl.create(t.echo, { args: 'ab' as never }), /args must be an array/);
      assert.throws(
        () => impl.create(t.echo, { daemon: 'yes' as never }),
        /daemon must be a boolean/,
      );
      assert.throws(() => impl.create(t.echo, null as never), /options must be an object/);
    });
  });

  runnerExceptionContract(impl);
}
