// A program given to Node as code (`node -e`, `node -p`, `--input-type=module -e`) can start
// processes and process pools: its children run weft's entry, not the program's code again
// (which would start a child of its own, and so on, without end).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { childFlags } from '../src/process/child-flags.js';

const run = promisify(execFile);
const INDEX = new URL('../dist/index.js', import.meta.url).href;
const TARGET = new URL('./fixtures/process-targets.ts', import.meta.url).href;

describe('programs run from code given on the command line', () => {
  test('a child process inherits every flag but those that say what to run', () => {
    assert.deepEqual(
      childFlags([
        '--input-type=module',
        '-e',
        'code',
        '--max-old-space-size=100',
        '--eval=more',
        '-p',
        'x',
        '--import',
        'tsx',
        '--input-type',
        'commonjs',
        '--test',
      ]),
      ['--max-old-space-size=100', '--import', 'tsx'],
    );
  });

  for (const kind of ['Process', 'ProcessPoolExecutor'] as const) {
    test(`node --input-type=module -e starting a ${kind} runs it once`, {
      timeout: 120_000,
    }, async () => {
      const body =
        kind === 'Process'
          ? `const p = new weft.Process(square, { args: [3] }); p.start(); await p.join(); console.log(p.exitCode, p.result);`
          : `const pool = new weft.ProcessPoolExecutor({ maxWorkers: 1 }); console.log(0, await pool.submit(square, 3)); await pool.shutdown();`;
      const code = `const weft = await import(${JSON.stringify(INDEX)}); const square = { module: ${JSON.stringify(TARGET)}, name: 'square' }; ${body}`;
      const { stdout } = await run(
        process.execPath,
        [...process.execArgv, '--input-type=module', '-e', code],
        { timeout: 110_000 },
      );
      assert.deepEqual(stdout.trim().split('\n'), ['0 9'], 'one line: the program ran once');
    });
  }
});
