// A thread or process loads only what its target needs, so that starting one costs little
// more than a bare Worker or fork: the kinds of handles (and the transports) load only once
// an argument holds a handle.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Process, Queue, Thread } from '../src/index.js';
import { childLimit } from './support/child-budget.js';
import { endProcesses, run } from './support/process-helpers.js';

const TARGET = {
  module: new URL('./fixtures/lazy-targets.ts', import.meta.url).href,
  name: 'kindsLoaded',
};
/** A guard against a hang: far beyond what starting a thread or process costs here now. */
const WAIT = { timeout: await childLimit(60_000) };

after(endProcesses);

describe('lazy entries', () => {
  test('a thread given plain values loads no kind; given a handle, it loads them', async () => {
    const plain = new Thread(TARGET, { args: [1, 'two'] });
    plain.start();
    assert.equal(await plain.join(WAIT), true);
    assert.equal(plain.result, false);
    const withHandle = new Thread(TARGET, { args: [new Queue<number>()] });
    withHandle.start();
    assert.equal(await withHandle.join(WAIT), true);
    assert.equal(withHandle.result, true);
  });

  test('a process given plain values loads no kind; given a handle, it loads them', async () => {
    const plain = await run(new Process(TARGET, { args: [1, 'two'] }));
    assert.equal(plain.result, false);
    const withHandle = await run(new Process(TARGET, { args: [[new Queue<number>()]] }));
    assert.equal(withHandle.result, true);
  });
});
