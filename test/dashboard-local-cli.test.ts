// `weft dashboard --local --port P -- SCRIPT [ARGS…]`: runs the program with its dashboard
// served from inside it, and ends as it ends (its exit code, its signal); usage mistakes
// exit 2 saying what to do. The dashboard itself: dashboard-local.test.ts.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childLimit } from './support/child-budget.js';
import { executorIn, fetchSnapshot, queueIn, workersIn } from './support/dashboard-client.js';

const FILE = { timeout: 300_000 };
const WEFT = fileURLToPath(new URL('../src/cli/weft.ts', import.meta.url));
const PROGRAM = fileURLToPath(new URL('./fixtures/local-dashboard-program.ts', import.meta.url));
const URL_LINE = /weft dashboard: (http:\/\/\S+\/)/;

/** `weft dashboard ...args`, its output gathered; killed if it outlives the child limit. */
async function run(args: readonly string[]) {
  const limit = await childLimit(60_000);
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', WEFT, 'dashboard', ...args],
    { stdio: 'pipe' },
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), limit);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    child.emit('output');
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    child.emit('output');
  });
  const exited = once(child, 'exit').finally(() => clearTimeout(timer));
  /** Resolves once the output so far matches `pattern`, or rejects if the command exits first. */
  const seen = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const match = pattern.exec(stdout) ?? pattern.exec(stderr);
      if (match !== null) return match;
      const ended = await Promise.race([
        once(child, 'output').then(() => false),
        exited.then(() => true),
      ]);
      if (ended && pattern.exec(stdout) === null && pattern.exec(stderr) === null) {
        throw new Error(`weft dashboard exited first:\n${stdout}\n${stderr}`);
      }
    }
  };
  return { child, exited, seen, output: () => ({ stdout, stderr }) };
}

describe('weft dashboard --local', FILE, () => {
  test('serves the program from inside it, then exits with its exit code', async () => {
    const cli = await run(['--local', '--port', '0', '--', PROGRAM, '7']);
    try {
      const [, url] = await cli.seen(URL_LINE);
      const [ready] = await cli.seen(/ready: .*\n/);
      assert.equal(ready, 'ready: the pool process saw port null\n', 'its children serve nothing');
      const snapshot = await fetchSnapshot(url!);
      assert.match(snapshot.source, /^this program \(pid \d+\)$/);
      assert.notEqual(
        snapshot.source,
        `this program (pid ${cli.child.pid})`,
        'the program, not weft',
      );
      assert.equal(queueIn(snapshot, 'Queue 1 (maxsize 10)')?.waiting, 3);
      assert.equal(executorIn(snapshot, 'children')?.workers, 1);
      assert.match(workersIn(snapshot, 'children')[0]!.id, /^process \d+$/);
      cli.child.stdin.end('go on\n');
      assert.deepEqual(await cli.exited, [7, null]);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  test('SIGTERM goes on to the program, and weft ends by the same signal', async () => {
    const cli = await run(['--local', '--port', '0', '--', PROGRAM]);
    try {
      await cli.seen(/ready: /);
      cli.child.kill('SIGTERM');
      assert.deepEqual(await cli.exited, [null, 'SIGTERM']);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  test('usage mistakes exit 2 saying what to do', async () => {
    for (const [args, message] of [
      [['--local', '--redis', 'redis://127.0.0.1:6379', '--', PROGRAM], /--local and --redis/],
      [['--local', '--port', '0'], /--local needs the program to run after --/],
      [['--local', PROGRAM], /unexpected argument .*\nPut the program after --/],
      [['--port', '0', '--', PROGRAM], /a program to run \(after --\) needs --local/],
    ] as const) {
      const mistake = await run(args);
      assert.deepEqual(await mistake.exited, [2, null], args.join(' '));
      assert.match(mistake.output().stderr, message);
    }
  });
});
