// isMainModule(import.meta), Python's `if __name__ == '__main__'`: true for the program's entry
// module in its main thread, false for any other module, and false where a thread or a child
// process imports the entry module to find a portable function defined there.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isMainModule } from '../src/index.js';
import { CHILD_TEST, childLimit } from './support/child-budget.js';

const ENTRY = fileURLToPath(new URL('./fixtures/main-module-entry.ts', import.meta.url));

test('the running test file is the main module; other modules are not', () => {
  assert.equal(isMainModule(import.meta), true);
  assert.equal(isMainModule({ url: new URL(ENTRY, 'file:').href } as ImportMeta), false);
  assert.equal(isMainModule({ url: 'data:text/javascript,' } as ImportMeta), false);
});

test(
  'a thread and a child process that import the entry to find its function are not main',
  CHILD_TEST,
  async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, ENTRY], {
      timeout: await childLimit(25_000),
    });
    assert.deepEqual(JSON.parse(stdout), { entry: true, thread: false, process: false });
  },
);
