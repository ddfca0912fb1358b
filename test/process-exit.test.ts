// How a child process ends once its target is done (src/process/child-exit.ts): its output
// is flushed first, its 'exit' handlers run, its exit code is the one Python would give, and
// the fast end (SIGKILL standing for an announced code) is taken only when it loses nothing.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { on } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Event, Process, warmStart } from '../src/index.js';
import { canEndFast } from '../src/process/child-exit.js';
import {
  announceThenSignal,
  announceThenWait,
  exitHandlerExits,
  exitHandlerSetsCode,
  exitHandlerThrows,
  exitHandlerWrites,
  nothing,
  writeInFlight,
} from './fixtures/exit-targets.js';
import { CHILD_TEST, childLimit } from './support/child-budget.js';
import { endProcesses, giveUp, run, started } from './support/process-helpers.js';

/** A last guard only: `run` and the waits below derive from what starting a child costs here now. */
const LIMIT = CHILD_TEST;
/** More than a pipe holds (64 KiB), so the child's Node queues most of it. */
const FLOOD = 4 * 1024 * 1024;
const PROGRAM = fileURLToPath(new URL('./fixtures/child-output-parent.ts', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'weft-exit-'));
const programs: ChildProcess[] = [];

after(async () => {
  for (const program of programs) if (program.exitCode === null) program.kill('SIGKILL');
  await endProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** The lines of `stream`, one per call, none lost between calls. */
function lineReader(stream: Readable): () => Promise<string> {
  const lines = on(createInterface({ input: stream }), 'line');
  return async () => {
    const next = await lines.next();
    if (next.done === true) throw new Error('the stream ended');
    return (next.value as [string])[0];
  };
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks).toString()));
    stream.once('error', reject);
    stream.resume();
  });
}

/**
 * Runs the fixture program with `stream` a pipe read only once the program says it joined
 * the child, or a moment after the child started writing (a child that waits for its
 * output to go out cannot be joined before): what the child wrote must all arrive.
 */
async function floodThrough(stream: 'stdout' | 'stderr', warm: boolean): Promise<void> {
  const program = spawn(
    process.execPath,
    [...process.execArgv, PROGRAM, String(FLOOD), stream, warm ? 'warm' : 'cold'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  programs.push(program);
  const exited = new Promise<number | null>((resolve) => program.on('exit', resolve));
  const [tested, other] =
    stream === 'stdout' ? [program.stdout!, program.stderr!] : [program.stderr!, program.stdout!];
  tested.pause();
  const line = lineReader(other);
  assert.equal(await line(), 'writing');
  const joined = line();
  await Promise.race([joined, giveUp(500)]);
  const text = await readAll(tested);
  assert.equal(await joined, `joined 0 ${FLOOD}`);
  assert.equal(await exited, 0);
  assert.equal(text.length, FLOOD + '\nEND\n'.length, 'every byte the child wrote arrived');
  assert.ok(text.endsWith('x\nEND\n'));
}

describe('Process: a child ends with its output written out', () => {
  test('a flood written to stdout just before the target returns all arrives', LIMIT, () =>
    floodThrough('stdout', false),
  );
  test('the same on stderr, from a warm spare', LIMIT, () => floodThrough('stderr', true));

  test(
    'a file write under way in the thread pool when the target returns completes',
    LIMIT,
    async () => {
      const file = join(dir, 'in-flight');
      const bytes = 64 * 1024 * 1024;
      const child = await run(new Process(writeInFlight, { args: [file, bytes] }));
      assert.equal(child.exitCode, 0);
      assert.equal(statSync(file).size, bytes);
    },
  );
});

describe('Process: what Node writes at exit is kept', () => {
  test(
    'coverage (NODE_V8_COVERAGE) and a --cpu-prof profile of the child are written',
    LIMIT,
    async () => {
      const coverage = join(dir, 'coverage');
      const profiles = join(dir, 'profiles');
      const [covered, profiled] = await Promise.all([
        run(new Process(nothing, { env: { ...process.env, NODE_V8_COVERAGE: coverage } })),
        run(new Process(nothing, { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profiles}`] })),
      ]);
      for (const child of [covered, profiled]) {
        assert.equal(child.exitCode, 0);
        assert.equal(child.result, true);
      }
      const written = [...readdirSync(coverage), ...readdirSync(profiles)];
      assert.ok(
        written.some((name) => name.startsWith(`coverage-${covered.pid}-`)),
        written.join(),
      );
      assert.ok(
        written.some((name) => name.endsWith(`.${profiled.pid}.0.001.cpuprofile`)),
        written.join(),
      );
    },
  );
});

describe("Process: 'exit' handlers and the exit code", () => {
  for (const warm of [false, true]) {
    const how = warm ? 'warm' : 'cold';
    test(
      `${how}: handlers run, see code 0, and a code they set or exit with is the code`,
      LIMIT,
      async () => {
        const spares = warm ? warmStart({ processes: 1 }) : undefined;
        try {
          await spares?.ready();
          const file = join(dir, `exit-${how}`);
          const wrote = await run(new Process(exitHandlerWrites, { args: [file] }));
          assert.equal(wrote.exitCode, 0);
          assert.equal(wrote.result, true);
          assert.equal(wrote.isAlive(), false);
          assert.equal(readFileSync(file, 'utf8'), 'exit 0');

          const set = await run(new Process(exitHandlerSetsCode, { args: [5] }));
          assert.equal(set.exitCode, 5);
          assert.equal(set.result, true);

          const exited = await run(new Process(exitHandlerExits, { args: [6] }));
          assert.equal(exited.exitCode, 6);

          const threw = await run(new Process(exitHandlerThrows));
          assert.equal(threw.exitCode, 1);
          assert.equal(threw.result, true, 'the target itself returned');
        } finally {
          await spares?.stop();
        }
      },
    );
  }
});

describe('Process: a SIGKILL ending stands for the code the child announced', () => {
  test('announced 3, then SIGKILL: exitCode 3; then SIGTERM: -15', LIMIT, async () => {
    const [killed, terminated] = await Promise.all([
      run(new Process(announceThenSignal, { args: [3, 'SIGKILL'] })),
      run(new Process(announceThenSignal, { args: [3, 'SIGTERM'] })),
    ]);
    assert.equal(killed.exitCode, 3);
    assert.equal(terminated.exitCode, -15);
  });

  test('announced 3, then kill() from the parent: -9', LIMIT, async () => {
    const announced = new Event();
    const child = started(new Process(announceThenWait, { args: [3, announced] }));
    assert.equal(await announced.wait({ timeout: await childLimit(60_000) }), true);
    await child.kill();
    assert.equal(child.exitCode, -9);
  });
});

describe('canEndFast: the fast end only when nothing is left to lose', () => {
  test('harmless handles only, no exit-time writer: fast', () => {
    assert.equal(canEndFast(['PipeWrap', 'TTYWrap', 'Timeout', 'CloseReq'], ''), true);
    assert.equal(canEndFast([], '--import tsx --enable-source-maps --cpu-prof'), true);
  });
  test('a request in flight (file, write, DNS) or a thread: process.exit()', () => {
    for (const kind of [
      'FSReqCallback',
      'FSReqPromise',
      'WriteWrap',
      'GetAddrInfoReqWrap',
      'MessagePort',
    ]) {
      assert.equal(canEndFast(['PipeWrap', kind], ''), false, kind);
    }
  });
  test('a V8 log, traces or an inspector, which Node serves in its teardown: process.exit()', () => {
    for (const flags of ['--prof', '--import tsx --trace-event-categories v8', '--inspect=0']) {
      assert.equal(canEndFast(['PipeWrap'], flags), false, flags);
    }
  });
});
