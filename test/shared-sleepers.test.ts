// A shared primitive counts the threads sleeping on its sequence word, so that a change
// notifies only when someone sleeps. A wake uncounts those it woke at once, not when their
// own loop gets to run: every change until then would notify again and wake nobody (a
// stream's every item, once its taker had slept). A sleeper that was not woken by a
// notify (timed out, or the word had changed already) uncounts itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Thread } from '../src/index.js';
import { blockOn, bump, SEQ, SLEEPERS, sleepOn, wake } from '../src/shared/turnstile.js';
import { blockUntilChanged } from './fixtures/sleeper-targets.js';
import { WORKER_SUITE } from './support/async-helpers.js';

function primitiveWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(64));
}

/** Counts the calls of `Atomics.notify` on `words` while `body` runs. */
function countNotifies(words: Int32Array, body: () => void): number {
  const real = Atomics.notify;
  let calls = 0;
  Atomics.notify = (array, index, count) => {
    if (array === words) calls++;
    return real(array as Int32Array, index, count);
  };
  try {
    body();
  } finally {
    Atomics.notify = real;
  }
  return calls;
}

describe('the sleepers of a shared primitive', () => {
  test('a sleeper woken by a change is uncounted by the wake, before its loop runs', async () => {
    const words = primitiveWords();
    const slept = sleepOn(words, 0, 60_000);
    assert.equal(words[SLEEPERS], 1);
    bump(words);
    wake(words);
    assert.equal(words[SLEEPERS], 0, 'uncounted by the wake itself');
    await slept;
    assert.equal(words[SLEEPERS], 0, 'and not uncounted twice');
  });

  test('changes made before the woken sleeper runs notify once, not once each', async () => {
    const words = primitiveWords();
    const slept = sleepOn(words, 0, 60_000);
    const notifies = countNotifies(words, () => {
      for (let i = 0; i < 100; i++) {
        bump(words);
        wake(words);
      }
    });
    assert.equal(notifies, 1);
    await slept;
  });

  test('every sleeper is woken and uncounted, and one that slept again is counted again', async () => {
    const words = primitiveWords();
    const first = [sleepOn(words, 0, 60_000), sleepOn(words, 0, 60_000)];
    assert.equal(words[SLEEPERS], 2);
    bump(words);
    wake(words);
    assert.equal(words[SLEEPERS], 0);
    await Promise.all(first);
    const again = sleepOn(words, words[SEQ]!, 60_000);
    assert.equal(words[SLEEPERS], 1);
    bump(words);
    wake(words);
    await again;
    assert.equal(words[SLEEPERS], 0);
  });

  test('a sleeper that times out uncounts itself', async () => {
    const words = primitiveWords();
    const slept = sleepOn(words, 0, 20);
    assert.equal(words[SLEEPERS], 1);
    // A wait on a shared word holds the event loop open no more than a sleeper does: a timer does.
    const hold = setTimeout(() => {}, 60_000);
    try {
      await slept;
    } finally {
      clearTimeout(hold);
    }
    assert.equal(words[SLEEPERS], 0);
    blockOn(words, 0, 5);
    assert.equal(words[SLEEPERS], 0, 'blockOn too');
  });

  test('a sleeper whose word has changed already does not stay counted', async () => {
    const words = primitiveWords();
    bump(words);
    await sleepOn(words, 0, 60_000);
    assert.equal(words[SLEEPERS], 0);
    blockOn(words, 0, 60_000);
    assert.equal(words[SLEEPERS], 0, 'blockOn too');
  });

  test(
    'a thread blocked on the word is woken and uncounted by the wake',
    WORKER_SUITE,
    async () => {
      const words = primitiveWords();
      const thread = new Thread(blockUntilChanged, { args: [words, 0] });
      thread.start();
      try {
        // The thread counts itself just before it blocks.
        while (Atomics.load(words, SLEEPERS) === 0) await new Promise((r) => setTimeout(r, 5));
        bump(words);
        wake(words);
        assert.equal(Atomics.load(words, SLEEPERS), 0);
        await thread.join();
        assert.equal(thread.exception, undefined);
        assert.equal(Atomics.load(words, SLEEPERS), 0);
      } finally {
        bump(words);
        wake(words);
        await thread.join();
      }
    },
  );
});
