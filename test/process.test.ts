// Process lifecycle, after CPython's test_multiprocessing (start twice, join before start, join
// with a timeout, is_alive, pid, names, the daemon flag, exitcode after exit and signals,
// active_children, parent_process, cpu_count), plus weft's result, the checks made at the call,
// and TypeScript targets. Exceptions and their report: test/process-exceptions.test.ts.
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  activeChildren,
  cpuCount,
  currentProcess,
  Process,
  parentProcess,
  RuntimeError,
} from '../src/index.js';
import {
  cube,
  echo,
  exitWith,
  killSelf,
  leaveTimer,
  selfReport,
  sleepForever,
  square,
} from './fixtures/process-targets.js';
import { endProcesses, run, started } from './support/process-helpers.js';

const TARGETS = new URL('./fixtures/process-targets.ts', import.meta.url).href;
const LIMIT = { timeout: 20_000 };

after(endProcesses);

describe('Process: running a target', () => {
  test(
    'runs TypeScript targets with their arguments and keeps the return value',
    LIMIT,
    async () => {
      const [squared, cubed] = await Promise.all([
        run(new Process(square, { args: [7] })),
        run(new Process(cube, { args: [3] })),
      ]);
      assert.equal(squared.result, 49);
      assert.equal(cubed.result, 27);
      assert.equal(squared.exitCode, 0);
      assert.equal(squared.exception, undefined);
    },
  );

  test('accepts { module, name } as the target', LIMIT, async () => {
    const child = await run(new Process({ module: TARGETS, name: 'square' }, { args: [12] }));
    assert.equal(child.result, 144);
  });

  test('arguments and the result cross by V8 serialization', LIMIT, async () => {
    const args = [
      [1, [2, [3]]],
      { nested: { deep: 'yes' } },
      new Map([['k', new Set([1, 2])]]),
      new Date(0),
      10n ** 20n,
      new Uint8Array([1, 2, 3]),
      undefined,
      null,
    ];
    const child = await run(new Process(echo, { args }));
    assert.deepEqual(child.result, args);
  });

  test('the child ends when its target returns, whatever timers it left', LIMIT, async () => {
    const child = await run(new Process(leaveTimer));
    assert.equal(child.result, 'returned');
    assert.equal(child.exitCode, 0);
  });
});

describe('Process: lifecycle', () => {
  test('start() twice throws RuntimeError', LIMIT, async () => {
    const child = started(new Process(square, { args: [2] }));
    assert.throws(() => child.start(), RuntimeError);
    await child.join();
    assert.throws(() => child.start(), RuntimeError);
  });

  test(
    'join(), terminate() and kill() before start() reject with RuntimeError',
    LIMIT,
    async () => {
      const child = new Process(square, { args: [2] });
      await assert.rejects(child.join(), RuntimeError);
      await assert.rejects(child.join({ timeout: 0 }), RuntimeError);
      await assert.rejects(child.terminate(), RuntimeError);
      await assert.rejects(child.kill(), RuntimeError);
      assert.equal(child.isAlive(), false);
      assert.equal(child.pid, undefined);
      assert.equal(child.exitCode, null);
    },
  );

  test(
    'join({ timeout }) resolves false while the child runs, true once it ended',
    LIMIT,
    async () => {
      const child = started(new Process(sleepForever));
      assert.equal(child.isAlive(), true);
      assert.equal(await child.join({ timeout: 20 }), false);
      assert.equal(child.isAlive(), true);
      assert.equal(child.exitCode, null);
      await child.terminate();
      assert.equal(await child.join({ timeout: 20 }), true);
      assert.equal(await child.join(), true);
      assert.equal(child.isAlive(), false);
    },
  );

  test('join() with invalid options rejects, as every wait does', LIMIT, async () => {
    const child = started(new Process(square, { args: [1] }));
    await assert.rejects(child.join({ timeout: -1 }), RangeError);
    await assert.rejects(child.join({ timeout: Number.NaN }), TypeError);
    await child.join();
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

describe('Process: names, daemon flag and identity', () => {
  test('the default name is Process-N, counting up; a given name is kept', () => {
    const first = new Process(square, { args: [1] });
    const second = new Process(square, { args: [1] });
    const m1 = /^Process-(\d+)$/.exec(first.name);
    const m2 = /^Process-(\d+)$/.exec(second.name);
    assert.ok(m1 && m2, `${first.name}, ${second.name}`);
    assert.equal(Number(m2[1]), Number(m1[1]) + 1);
    assert.equal(new Process(square, { name: 'cruncher' }).name, 'cruncher');
    assert.match(new Process(square, { name: '' }).name, /^Process-\d+$/);
  });

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

  test(
    'the daemon flag defaults to false here and can be set only before start()',
    LIMIT,
    async () => {
      const child = new Process(sleepForever);
      assert.equal(child.daemon, false);
      child.daemon = true;
      assert.equal(child.daemon, true);
      assert.throws(() => {
        child.daemon = 'yes' as unknown as boolean;
      }, TypeError);
      started(child);
      assert.throws(() => {
        child.daemon = false;
      }, RuntimeError);
      assert.equal(child.daemon, true);
      await child.kill();
    },
  );

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

describe('Process: checks at the call', () => {
  test('an argument that cannot cross throws a TypeError naming it, before anything starts', () => {
    assert.throws(
      () => new Process(echo, { args: [1, () => 2] }),
      (error: Error) => error instanceof TypeError && /argument 1/.test(error.message),
    );
    const socket = new Socket();
    try {
      assert.throws(
        () => new Process(echo, { args: ['ok', 'ok', socket] }),
        (error: Error) => error instanceof TypeError && /argument 2/.test(error.message),
      );
    } finally {
      socket.destroy();
    }
    assert.throws(
      () => new Process(echo, { args: [{ nested: { fn: Math.max } }] }),
      (error: Error) => error instanceof TypeError && /argument 0/.test(error.message),
    );
  });

  test('options are checked: args, daemon, env, execArgv, and an unmarked function as target', () => {
    assert.throws(() => new Process(echo, { args: 1 as unknown as [] }), TypeError);
    assert.throws(() => new Process(echo, { daemon: 1 as unknown as boolean }), TypeError);
    assert.throws(() => new Process(echo, { env: 'x' as unknown as NodeJS.ProcessEnv }), TypeError);
    assert.throws(() => new Process(echo, { execArgv: [1 as unknown as string] }), TypeError);
    assert.throws(() => new Process((() => 1) as never), TypeError);
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
