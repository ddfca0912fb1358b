// `weft map` stopped with Ctrl-C (SIGINT to the child) part-way, then run again with
// --resume: the output ends on a whole line after the stop, and after the resume it is
// exactly what a run that was never stopped writes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FUNCTIONS, type MapChild, Scratch, startMap, weftMap } from './support/weft-map.js';

const scratch = new Scratch();
after(() => scratch.remove());

/** 800 lines, each a wait of 1 to 4 ms that `wait` returns: the output of a clean run is the input. */
const WAITS = Array.from({ length: 800 }, (_, i) => `${(i % 4) + 1}\n`).join('');

/** Resolves once the child's output file holds at least `lines` whole lines (polled; no fixed sleep). */
async function outputReaches(path: string, lines: number, run: MapChild): Promise<void> {
  let ended = false;
  run.ended.then(() => {
    ended = true;
  });
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (text.split('\n').length - 1 >= lines) return;
    if (ended)
      throw new Error(`weft map ended before writing ${lines} lines:\n${(await run.ended).stderr}`);
    await sleep(10);
  }
}

/** The records of an --unordered output, by line number; fails on a line recorded twice. */
function recordsByLine(text: string): Map<number, unknown> {
  const records = new Map<number, unknown>();
  for (const row of text.trimEnd().split('\n')) {
    if (row === '') continue;
    const { line, result } = JSON.parse(row);
    assert.ok(!records.has(line), `line ${line} is recorded twice`);
    records.set(line, result);
  }
  return records;
}

describe('weft map: Ctrl-C, then --resume', { timeout: 240_000 }, () => {
  const cases = [
    { mode: 'tasks', unordered: false, sigints: 1 },
    { mode: 'threads', unordered: false, sigints: 2 },
    { mode: 'processes', unordered: false, sigints: 1 },
    { mode: 'tasks', unordered: true, sigints: 1 },
    { mode: 'threads', unordered: true, sigints: 2 },
  ];
  for (const { mode, unordered, sigints } of cases) {
    const name = `--mode ${mode}${unordered ? ' --unordered' : ''}, ${sigints} SIGINT${sigints > 1 ? 's' : ''}`;
    test(`${name}: exit 130 on whole lines, and --resume completes the file exactly`, async () => {
      const tag = `${mode}-${unordered}`;
      const input = scratch.file(`waits-${tag}.jsonl`, WAITS);
      const output = scratch.path(`out-${tag}.jsonl`);
      const args = [
        `${FUNCTIONS}wait`,
        input,
        '--mode',
        mode,
        '--workers',
        '2',
        '--output',
        output,
      ];
      if (unordered) args.push('--unordered');
      const run = startMap(args);
      try {
        await outputReaches(output, 20, run);
      } catch (err) {
        run.child.kill('SIGKILL');
        throw err;
      }
      for (let i = 0; i < sigints; i++) run.child.kill('SIGINT');
      const stopped = await run.ended;
      assert.equal(stopped.code, 130, stopped.stderr);
      const partial = readFileSync(output, 'utf8');
      assert.ok(partial.endsWith('\n'), 'the output ends on a whole line');
      const partialLines = partial.split('\n').length - 1;
      assert.ok(partialLines < 800, `the run was stopped part-way (${partialLines} lines written)`);
      if (!unordered)
        assert.ok(WAITS.startsWith(partial), 'an ordered output is a prefix of the results');

      const resumed = await weftMap([...args, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      const final = readFileSync(output, 'utf8');
      if (!unordered) {
        assert.equal(final, WAITS);
      } else {
        const records = recordsByLine(final);
        assert.equal(records.size, 800);
        const expected = WAITS.trimEnd().split('\n');
        for (const [line, result] of records) assert.equal(result, Number(expected[line - 1]));
      }
    });
  }

  test('--resume cuts a last line left half-written and does that line again', async () => {
    const input = scratch.file('squares.jsonl', '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    const output = scratch.file('squares.out', '{"n":1,"square":1}\n{"n":2,"squ');
    const run = await weftMap([`${FUNCTIONS}square`, input, '--output', output, '--resume']);
    assert.equal(run.code, 0, run.stderr);
    const expected =
      '{"n":1,"square":1}\n{"n":2,"square":4}\n{"n":3,"square":9}\n{"n":4,"square":16}\n';
    assert.equal(readFileSync(output, 'utf8'), expected);
  });

  test('--resume of a complete output does nothing; without an output file it starts afresh', async () => {
    const input = scratch.file('two.jsonl', '1\n\n2\n');
    const output = scratch.path('two.out');
    const fresh = await weftMap([`${FUNCTIONS}echo`, input, '--output', output, '--resume']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(readFileSync(output, 'utf8'), '1\n2\n');
    const again = await weftMap([`${FUNCTIONS}echo`, input, '--output', output, '--resume']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(output, 'utf8'), '1\n2\n');
  });

  test('--resume --unordered refuses an output that is not made of records (exit 2)', async () => {
    const input = scratch.file('one.jsonl', '1\n');
    const output = scratch.file('ordered.out', '1\n');
    const run = await weftMap([
      `${FUNCTIONS}echo`,
      input,
      '--output',
      output,
      '--resume',
      '--unordered',
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not a \{"line":N,"result":\.\.\.\} record/);
  });
});
