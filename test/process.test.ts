// Process passes the runner contract (test/contracts/runner-contract.ts). What only a process
// does, after CPython's test_multiprocessing: pid, exitcode after exit and signals, kill(),
// its parent, active_children, cpu_count, the repr, env and execArgv. Children left behind:
// process-orphans.test.ts; primitives shared with children: process-handles.test.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  activeChildren,
  cpuCount,
  currentProcess,
  Process,
  parentProcess,
  RuntimeError,
} from '../src/index.js';
import { runnerContract } from './contracts/runner-contract.js';
import {
  echo,
  exitWith,
  killSelf,
  selfReport,
  sleepForever,
  square,
} from './fixtures/process-targets.js';
import { CHILD_TEST } from './support/child-budget.js';
import { endProcesses, run, started } from './support/process-helpers.js';
import { processRunner } from './support/runners.js';

const TARGETS = new URL('./fixtures/process-targets.ts', import.meta.url).href;
/** A last guard only: each test starts children, seconds each on a busy machine (`run` bounds each). */
const LIMIT = CHILD_TEST;

runnerContract(processRunner);

after(endProcesses);

describe('Process: lifecycle', () => {
  test('kill() before start() rejects with RuntimeError, as join() and terminate() do', async () => {
    const child = new Process(square, { args: [2] });
    await assert.rejects(child.kill(), RuntimeError);
    assert.equal(child.pid, undefined);
  });

  test(
    'pid is undefined before start, the child’s own pid after, and kept once it ended',
    LIMIT,
    async () => {
      const child = new Process(selfReport);
      assert.equal(child.pid, undefined);
      await run(child);
      const report = child.result as { pid: number; processPid: number };
      assert.equal(typeof child.pid, 'number');
      assert.equal(child.pid, report.processPid);
      assert.equal(child.pid, report.pid);
      assert.equal(child.ident, child.pid);
      assert.notEqual(child.pid, process.pid);
    },
  );

  test(
    'exitCode: null while running, 0, n after process.exit(n), minus the signal number',
    LIMIT,
    async () => {
      const [zero, three, selfKilled] = await Promise.all([
        run(new Process(square, { args: [1] })),
        run(new Process(exitWith, { args: [3] })),
        run(new Process(killSelf, { args: ['SIGKILL'] })),
      ]);
      assert.equal(zero.exitCode, 0);
      assert.equal(three.exitCode, 3);
      assert.equal(three.exception, undefined, 'process.exit() is not an exception');
      assert.equal(selfKilled.exitCode, -9);

      const terminated = started(new Process(sleepForever));
      const killed = started(new Process(sleepForever));
      assert.equal(terminated.exitCode, null);
      await Promise.all([terminated.terminate(), killed.kill()]);
      assert.equal(terminated.exitCode, -15);
      assert.equal(killed.exitCode, -9);
      assert.equal(terminated.isAlive(), false);
      // Ending an ended process changes nothing.
      await terminated.kill();
      assert.equal(terminated.exitCode, -15);
    },
  );
});

describe('Process: names and identity', () => {
  test(
    'the child knows its name, pid and daemon flag, and its parent is this process',
    LIMIT,
    async () => {
      const child = await run(new Process(selfReport, { name: 'reporter', daemon: true }));
      assert.deepEqual(child.result, {
        name: 'reporter',
        pid: child.pid,
        processPid: child.pid,
        daemon: true,
        alive: true,
        parentPid: process.pid,
        parentName: 'MainProcess',
        parentAlive: true,
      });
    },
  );

  test('this process is MainProcess, without a parent', () => {
    assert.equal(currentProcess().name, 'MainProcess');
    assert.equal(currentProcess().pid, process.pid);
    assert.equal(currentProcess().daemon, false);
    assert.equal(currentProcess().isAlive(), true);
    assert.equal(parentProcess(), undefined);
  });

  test('the repr shows the name, pid, state and daemon flag', LIMIT, async () => {
    const child = new Process(sleepForever, { name: 'shown', daemon: true });
    assert.equal(String(child), "<Process name='shown' initial daemon>");
    started(child);
    assert.equal(
      String(child),
      `<Process name='shown' pid=${child.pid} parent=${process.pid} started daemon>`,
    );
    await child.terminate();
    assert.match(String(child), /stopped exitcode=-15 daemon>$/);
  });

  test('activeChildren() lists a running child, and not once it ended', LIMIT, async () => {
    const child = started(new Process(sleepForever));
    assert.ok(activeChildren().includes(child));
    await child.terminate();
    assert.ok(!activeChildren().includes(child));
    assert.ok(!activeChildren().some((entry) => entry.pid === child.pid));
  });

  test('cpuCount() is a whole number of at least 1', () => {
    assert.ok(Number.isInteger(cpuCount()));
    assert.ok(cpuCount() >= 1);
  });
});

describe('Process: env and execArgv', () => {
  test('options only a Process takes are checked: env, execArgv', () => {
    assert.throws(() => new Process(echo, { env: 'x' as unknown as NodeJS.ProcessEnv }), TypeError);
    assert.throws(() => new Process(echo, { execArgv: [1 as unknown as string] }), TypeError);
  });

  test('env replaces the child’s environment; execArgv adds Node flags', LIMIT, async () => {
    const child = await run(
      new Process(
        { module: TARGETS, name: 'readEnv' },
        {
          args: ['WEFT_TEST_MARK'],
          env: { ...process.env, WEFT_TEST_MARK: 'marked' },
          execArgv: ['--stack-trace-limit=7'],
        },
      ),
    );
    assert.deepEqual(child.result, { value: 'marked', flags: true });
  });
});
