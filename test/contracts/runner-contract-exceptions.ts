// The runner contract, when a target fails (CPython's test_threading excepthook tests and
// test_multiprocessing's exitcode 1): the exception is kept with its class, message, stack,
// cause and fields; it ends and join() resolves true; an exception nobody reads is reported
// once as a process warning, and never once it was read; process.exit() in the target ends it
// quietly, as sys.exit() does in Python.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Event } from '../../src/index.js';
import { hiddenRef } from '../fixtures/portable-fns.js';
import { WORKER_SUITE as SUITE } from '../support/async-helpers.js';
import { type RunnerImpl, runnerTracker } from '../support/runners.js';
import { warningsDuring } from '../support/warnings.js';

export function runnerExceptionContract(impl: RunnerImpl): void {
  const t = impl.targets;
  /** The unread-exception warnings of this kind while `body` runs, and a few turns after. */
  const reportsDuring = (body: () => Promise<void>) => warningsDuring(impl.unobserved.code, body);

  describe(`${impl.name}: exceptions`, SUITE, () => {
    const { run, end } = runnerTracker();
    after(end);

    test("keep the error's class name, message, stack, cause and own fields", async () => {
      const runner = await run(impl.create(t.failDiskFull));
      const error = runner.exception as Error & { code: string; bytes: number };
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'DiskFull');
      assert.equal(error.message, 'no space left on device');
      assert.equal(error.code, 'ENOSPC');
      assert.equal(error.bytes, 4096);
      assert.match(error.stack!, /failDiskFull/);
      assert.match(error.stack!, /runner-targets\.ts/);
      assert.ok(error.cause instanceof RangeError);
      assert.equal((error.cause as Error).message, 'quota exceeded');
      assert.equal(runner.result, undefined);
      assert.equal(runner.exitCode, 1);
      assert.equal(runner.isAlive(), false);
    });

    test('a rejected promise of an async target is its exception, built-in classes as themselves', async () => {
      const runner = await run(impl.create(t.failAsync, { args: ['bad input'] }));
      assert.ok(runner.exception instanceof TypeError);
      assert.equal((runner.exception as Error).message, 'bad input');
      assert.equal(runner.exitCode, 1);
    });

    test('an error thrown where the target cannot catch it (a timer) ends it with that error', async () => {
      const runner = await run(impl.create(t.throwInTimer));
      assert.ok(runner.exception instanceof RangeError);
      assert.equal((runner.exception as Error).message, 'thrown from a timer');
      assert.equal(runner.exitCode, 1);
    });

    test('a return value that cannot cross back is a TypeError saying so', async () => {
      const runner = await run(impl.create(t.returnFunction));
      assert.ok(runner.exception instanceof TypeError);
      assert.match((runner.exception as Error).message, /return value/);
      assert.equal(runner.exitCode, 1);
    });

    test('a target that cannot be found fails it with a TypeError', async () => {
      const [missingExport, missingModule, hidden] = await Promise.all([
        run(impl.create({ module: t.TARGETS, name: 'nope' })),
        run(impl.create({ module: new URL('./no-such-module.ts', t.TARGETS).href, name: 'x' })),
        run(impl.create(hiddenRef.fn)),
      ]);
      assert.ok(missingExport.exception instanceof TypeError);
      assert.match((missingExport.exception as Error).message, /no function export named "nope"/);
      assert.equal(missingExport.exitCode, 1);
      assert.ok(missingModule.exception instanceof Error);
      assert.match((missingModule.exception as Error).message, /no-such-module/);
      assert.equal(missingModule.exitCode, 1);
      assert.ok(hidden.exception instanceof TypeError);
      assert.match((hidden.exception as Error).message, /not exported/);
    });
  });

  describe(`${impl.name}: exceptions nobody reads`, SUITE, () => {
    const { run, started, end } = runnerTracker();
    after(end);

    test(`are reported once, as an ${impl.unobserved.name} warning naming it`, async () => {
      const warnings = await reportsDuring(async () => {
        const runner = started(impl.create(t.failDiskFull, { name: 'bookkeeper' }));
        await runner.join();
      });
      assert.equal(warnings.length, 1);
      const warning = warnings[0]!;
      assert.equal(warning.name, impl.unobserved.name);
      assert.match(warning.message, new RegExp(`Exception in ${impl.kind} bookkeeper`));
      assert.match(warning.message, /DiskFull: no space left on device/);
      assert.equal((warning.cause as Error).name, 'DiskFull');
    });

    test('one nobody joins is reported too, once it ended', async () => {
      const warnings = await reportsDuring(async () => {
        const runner = started(impl.create(t.failAsync, { args: ['unjoined'] }));
        // Not join(): wait for the end some other way.
        while (runner.isAlive()) await new Promise((resolve) => setTimeout(resolve, 10));
      });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /TypeError: unjoined/);
    });

    test('are not reported when read after join', async () => {
      const warnings = await reportsDuring(async () => {
        const runner = await run(impl.create(t.failAsync, { args: ['read'] }));
        assert.ok(runner.exception instanceof TypeError);
      });
      assert.deepEqual(warnings, []);
    });

    test('process.exit(n) in the target ends it quietly with exit code n', async () => {
      const warnings = await reportsDuring(async () => {
        const runner = await run(impl.create(t.exitWith, { args: [3] }));
        assert.equal(runner.exitCode, 3);
        assert.equal(runner.exception, undefined, 'process.exit() is not an exception');
        assert.equal(runner.result, undefined);
      });
      assert.deepEqual(warnings, []);
    });

    test('a successful or terminated one is never reported', async () => {
      const warnings = await reportsDuring(async () => {
        const ok = run(impl.create(t.nothing));
        const isRunning = new Event();
        const runner = started(impl.create(t.waitForGo, { args: [isRunning, new Event()] }));
        assert.equal(await isRunning.wait({ timeout: 60_000 }), true, 'the target started');
        await runner.terminate();
        assert.equal((await ok).exitCode, 0);
      });
      assert.deepEqual(warnings, []);
    });
  });
}
