// A SharedQueue wakes the threads that wait for what a change gives them, and no others: a
// put bumps the queue's sequence word (which waiting threads sleep on) when a thread waits
// to get, a get when one waits to put; with no one waiting, neither pays for a wake-up.
// White-box: the sequence word is read from the queue's words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedQueue } from '../src/index.js';
import { SEQ } from '../src/shared/turnstile.js';

function sequence(q: SharedQueue<unknown>): number {
  return Atomics.load((q as unknown as { words: Int32Array }).words, SEQ);
}

describe('SharedQueue wake-ups', () => {
  test('a put with a getter waiting changes the sequence word; the getter gets the item', async () => {
    const q = new SharedQueue<number>();
    const got = q.get();
    const before = sequence(q);
    q.putNowait(7);
    assert.notEqual(sequence(q), before);
    assert.equal(await got, 7);
  });

  test('a get with a putter waiting changes the sequence word; the putter gets in', async () => {
    const q = new SharedQueue<number>({ maxsize: 1 });
    await q.put(1);
    const put = q.put(2);
    const before = sequence(q);
    assert.equal(q.getNowait(), 1);
    assert.notEqual(sequence(q), before);
    await put;
    assert.equal(q.getNowait(), 2);
  });

  test('with no one waiting, puts and gets leave the sequence word alone', async () => {
    const q = new SharedQueue<number>();
    const before = sequence(q);
    for (let i = 0; i < 10; i++) await q.put(i);
    for (let i = 0; i < 10; i++) assert.equal(await q.get(), i);
    q.putNowait(10);
    assert.equal(q.getNowait(), 10);
    assert.equal(sequence(q), before);
  });
});
