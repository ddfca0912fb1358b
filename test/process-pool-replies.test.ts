// A process pool worker's replies reach the pool in order, each once, though they come two
// ways: batches on the IPC channel, and at exit a final frame on the pipe beside it with
// those the child did not see written to the channel. The pipe can be read before a batch
// the channel still carries; the replies must not be matched to the wrong tasks then.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REPLIES, type Replies, ReplySequence } from '../src/executor/process/reply-pipe.js';

function batch(first: number, ...replies: string[]): Replies {
  return { [REPLIES]: replies, first };
}

function sequence(): { delivered: string[]; replies: ReplySequence } {
  const delivered: string[] = [];
  return { delivered, replies: new ReplySequence((reply) => delivered.push(reply as string)) };
}

describe('ReplySequence', () => {
  test('batches in order are delivered as they come', () => {
    const { delivered, replies } = sequence();
    replies.push(batch(0, 'a', 'b'));
    replies.push(batch(2, 'c'));
    assert.deepEqual(delivered, ['a', 'b', 'c']);
  });

  test('a final frame that repeats a batch delivered already adds only what is new', () => {
    const { delivered, replies } = sequence();
    replies.push(batch(0, 'a', 'b'));
    replies.push(batch(1, 'b', 'c'));
    replies.push(batch(0, 'a', 'b'));
    assert.deepEqual(delivered, ['a', 'b', 'c']);
  });

  test('a final frame read before a batch still on the channel waits for it', () => {
    const { delivered, replies } = sequence();
    replies.push(batch(0, 'a'));
    // The child saw 'b' and 'c' written to the channel; its final frame starts at 'd'.
    replies.push(batch(3, 'd', 'e'));
    assert.deepEqual(delivered, ['a'], 'nothing is delivered past a gap');
    replies.push(batch(1, 'b', 'c'));
    assert.deepEqual(delivered, ['a', 'b', 'c', 'd', 'e']);
  });

  test('several batches ahead of a gap are delivered in order once it fills', () => {
    const { delivered, replies } = sequence();
    replies.push(batch(4, 'e'));
    replies.push(batch(2, 'c', 'd'));
    replies.push(batch(0, 'a', 'b'));
    assert.deepEqual(delivered, ['a', 'b', 'c', 'd', 'e']);
  });
});
