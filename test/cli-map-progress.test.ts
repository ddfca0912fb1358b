// The progress line of `weft map` (drawn on stderr when it is a terminal): what it shows,
// and that a failure message is printed above it without tearing it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProgressBar } from '../src/cli/progress-bar.js';

const CLEAR = '\r\x1b[2K';

/** A terminal that keeps what is written to it. */
function terminal(columns = 80) {
  const written: string[] = [];
  return { written, columns, write: (text: string) => written.push(text) };
}

describe('weft map progress line', { timeout: 10_000 }, () => {
  test('with a total: the bar, position/total, rate, ETA and time taken', () => {
    const out = terminal();
    let done = 0;
    const bar = new ProgressBar(
      out,
      () => done + 2,
      () => done,
    );
    bar.total = 10;
    done = 3;
    bar.finish();
    const drawn = out.written.at(-2)!;
    assert.ok(drawn.startsWith(CLEAR), 'the line is cleared first');
    const line = drawn.slice(CLEAR.length);
    assert.match(line, /^\[(█+)(░+)\] 5\/10 {2}[\d,]+\/s {2}ETA \d+:\d\d {2}\d+:\d\d elapsed$/);
    const [, filled, empty] = /\[(█+)(░+)\]/.exec(line)!;
    assert.equal(filled!.length, (filled!.length + empty!.length) / 2);
    assert.equal(out.written.at(-1), '\n');
  });

  test('without a total (stdin): lines done, rate and time taken, no bar', () => {
    const out = terminal();
    const bar = new ProgressBar(
      out,
      () => 7,
      () => 7,
    );
    bar.finish();
    const drawn = out.written.at(-2)!;
    assert.ok(drawn.startsWith(CLEAR), 'the line is cleared first');
    assert.match(drawn.slice(CLEAR.length), /^7 done {2}[\d,]+\/s {2}\d+:\d\d elapsed$/);
  });

  test('a message clears the drawn line first and ends with a newline', () => {
    const out = terminal();
    const bar = new ProgressBar(
      out,
      () => 1,
      () => 1,
    );
    bar.draw();
    bar.message('line 3: TypeError: nope');
    assert.equal(out.written[1], `${CLEAR}line 3: TypeError: nope\n`);
    bar.finish();
  });
});
