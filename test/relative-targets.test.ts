// A target given as { module, name } with a relative module path is found from the file of
// the code that gave it, as its own `import` would be — not from weft's folder; and a module
// that is not there fails with an error naming the path that was looked for.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Process, Thread, ThreadPoolExecutor } from '../src/index.js';
import { endProcesses, run } from './support/process-helpers.js';

after(endProcesses);

const SQUARE = { module: './fixtures/process-targets.ts', name: 'square' };
const MISSING = { module: './fixtures/no-such-module.ts', name: 'square' };

describe('a relative { module } resolves against the caller', () => {
  test('in a Thread', async () => {
    const thread = new Thread(SQUARE, { args: [7] });
    thread.start();
    assert.equal(await thread.join({ timeout: 120_000 }), true);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 49);
  });

  test('in a Process', async () => {
    const child = await run(new Process(SQUARE, { args: [8] }));
    assert.equal(child.exception, undefined);
    assert.equal(child.result, 64);
  });

  test('in an executor task', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await executor.submit(SQUARE, 9).result(), 81);
  });

  test('a missing module names the path it was looked for at', async () => {
    const thread = new Thread(MISSING);
    thread.start();
    assert.equal(await thread.join({ timeout: 120_000 }), true);
    assert.match(String((thread.exception as Error).message), /test\/fixtures\/no-such-module\.ts/);
  });
});
