// What happens when a process's target fails, after CPython's test_multiprocessing (a child's
// exception and exitcode 1): the exception is kept with its class name, message, stack, cause
// and fields; the process ends with exit code 1 and join() resolves true; an exception nobody
// reads is reported once as an UnobservedProcessError warning, and never once it was read.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Process } from '../src/index.js';
import {
  exitWith,
  failLedger,
  rejectAsync,
  returnFunction,
  sleepForever,
  throwInTimer,
} from './fixtures/process-targets.js';
import { endProcesses, run, started } from './support/process-helpers.js';
import { warningsDuring as collectWarnings } from './support/warnings.js';

const TARGETS = new URL('./fixtures/process-targets.ts', import.meta.url).href;
const LIMIT = { timeout: 20_000 };

after(endProcesses);

/** Collects weft's unread-process-exception warnings while `body` runs, and a few turns after. */
function warningsDuring(body: () => Promise<void>): Promise<Error[]> {
  return collectWarnings('WEFT_UNOBSERVED_PROCESS_ERROR', body);
}

describe('Process: exceptions', () => {
  test("keep the error's class name, message, stack, cause and own fields", LIMIT, async () => {
    const child = await run(new Process(failLedger, { args: ['acct-7'] }));
    const error = child.exception as Error & { account: string; balance: number };
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'LedgerError');
    assert.equal(error.message, 'overdrawn: acct-7');
    assert.equal(error.account, 'acct-7');
    assert.equal(error.balance, -5);
    assert.match(error.stack!, /failLedger/);
    assert.match(error.stack!, /process-targets\.ts/);
    assert.ok(error.cause instanceof RangeError);
    assert.equal((error.cause as Error).message, 'balance below zero');
    assert.equal(child.result, undefined);
    assert.equal(child.exitCode, 1);
    assert.equal(child.isAlive(), false);
  });

  test(
    'a rejected promise is the exception; built-in classes come back as themselves',
    LIMIT,
    async () => {
      const child = await run(new Process(rejectAsync, { args: ['bad input'] }));
      assert.ok(child.exception instanceof TypeError);
      assert.equal((child.exception as Error).message, 'bad input');
      assert.equal(child.exitCode, 1);
    },
  );

  test(
    'an error thrown where the target cannot catch it (a timer) ends the process with it',
    LIMIT,
    async () => {
      const child = await run(new Process(throwInTimer));
      assert.ok(child.exception instanceof RangeError);
      assert.equal((child.exception as Error).message, 'thrown from a timer');
      assert.equal(child.exitCode, 1);
    },
  );

  test('a return value that cannot cross back is a TypeError saying so', LIMIT, async () => {
    const child = await run(new Process(returnFunction));
    assert.ok(child.exception instanceof TypeError);
    assert.match((child.exception as Error).message, /return value/);
    assert.equal(child.exitCode, 1);
  });

  test('a target that cannot be found fails the process with a TypeError', LIMIT, async () => {
    // Each exception is read as soon as its process is joined, so neither is reported.
    const outcome = async (child: Process) => {
      await run(child);
      return { error: child.exception as Error, exitCode: child.exitCode };
    };
    const [missingExport, missingModule] = await Promise.all([
      outcome(new Process({ module: TARGETS, name: 'nope' })),
      outcome(new Process({ module: new URL('./no-such-module.ts', TARGETS).href, name: 'x' })),
    ]);
    assert.ok(missingExport.error instanceof TypeError);
    assert.match(missingExport.error.message, /no function export named "nope"/);
    assert.equal(missingExport.exitCode, 1);
    assert.ok(missingModule.error instanceof Error);
    assert.match(missingModule.error.message, /no-such-module/);
    assert.equal(missingModule.exitCode, 1);
  });
});

describe('Process: exceptions nobody reads', () => {
  test(
    'are reported once, as an UnobservedProcessError warning naming the process',
    LIMIT,
    async () => {
      const warnings = await warningsDuring(async () => {
        const child = started(new Process(failLedger, { args: ['a'], name: 'bookkeeper' }));
        await child.join();
      });
      assert.equal(warnings.length, 1);
      const warning = warnings[0]!;
      assert.equal(warning.name, 'UnobservedProcessError');
      assert.match(warning.message, /Exception in process bookkeeper/);
      assert.match(warning.message, /LedgerError: overdrawn: a/);
      assert.equal((warning.cause as Error).name, 'LedgerError');
    },
  );

  test('a process nobody joins is reported too, once it ended', LIMIT, async () => {
    const warnings = await warningsDuring(async () => {
      const child = started(new Process(rejectAsync, { args: ['unjoined'] }));
      // Not join(): wait for the end some other way.
      while (child.isAlive()) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /TypeError: unjoined/);
  });

  test('are not reported when read after join', LIMIT, async () => {
    const warnings = await warningsDuring(async () => {
      const child = await run(new Process(rejectAsync, { args: ['read'] }));
      assert.ok(child.exception instanceof TypeError);
    });
    assert.deepEqual(warnings, []);
  });

  test('a process that exits, or is terminated, is never reported', LIMIT, async () => {
    const warnings = await warningsDuring(async () => {
      const exited = run(new Process(exitWith, { args: [4] }));
      const child = started(new Process(sleepForever));
      await child.terminate();
      assert.equal((await exited).exitCode, 4);
    });
    assert.deepEqual(warnings, []);
  });
});
