// A program that starts threads, processes or pool workers at the top level of its entry
// module, without the main-module guard, is refused where the chain would begin: in the
// worker that imports the module to find its target (Python's "bootstrapping phase"
// RuntimeError). The program itself ends: a Thread or Process fails with that error, a
// pool's worker goes on once the import that tried is over.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ENTRY = fileURLToPath(new URL('./fixtures/unguarded-entry.ts', import.meta.url));
const run = promisify(execFile);

describe('the bootstrapping guard', () => {
  for (const mode of ['process', 'thread', 'pool'] as const) {
    test(`an unguarded ${mode} at the top level of the entry fails once, with a RuntimeError showing the guard`, {
      timeout: 120_000,
    }, async () => {
      const { stdout } = await run(process.execPath, [...process.execArgv, ENTRY], {
        env: { ...process.env, WEFT_UNGUARDED_MODE: mode },
        timeout: 110_000,
      });
      const outcomes = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { result?: unknown; error?: string; message?: string });
      // A Thread or Process: the worker's import throws, so only the program prints. A pool:
      // the submit in the worker's import fails (that line), and the program's own task runs.
      const expected = mode === 'pool' ? 2 : 1;
      assert.equal(outcomes.length, expected, stdout);
      const refused = outcomes.filter((outcome) => outcome.error === 'RuntimeError');
      assert.equal(refused.length, 1, stdout);
      assert.match(refused[0]!.message!, /isMainModule\(import\.meta\)/);
      assert.match(refused[0]!.message!, /unguarded-entry\.ts/);
      if (mode === 'pool')
        assert.ok(
          outcomes.some((outcome) => outcome.result === 'done'),
          stdout,
        );
    });
  }
});
