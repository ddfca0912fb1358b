// `weft map` as a user runs it (the built dist/cli/weft.js in a child process): output in
// input order or as records, stdin and FILE, every mode, failed lines, usage errors.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FUNCTIONS, jsonLines, Scratch, weftMap } from './support/weft-map.js';

const scratch = new Scratch();
after(() => scratch.remove());

/** Input with a blank line, an item the function refuses and a line that is not JSON. */
const MIXED = '{"n":1}\n{"n":2}\n\n{"x":3}\nnot json\n{"n":5}\r\n';
const MIXED_OUT = '{"n":1,"square":1}\n{"n":2,"square":4}\nnull\nnull\n{"n":5,"square":25}\n';
const MIXED_ERRORS = [
  'line 4: TypeError: expected { n: number }, got {"x":3}',
  /^line 5: SyntaxError: .*JSON/,
];

function assertMixedErrors(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, stderr);
  assert.equal(lines[0], MIXED_ERRORS[0]);
  assert.match(lines[1]!, MIXED_ERRORS[1] as RegExp);
}

const numbers = Array.from({ length: 500 }, (_, i) => ({ n: i }));
const squares = jsonLines(numbers.map(({ n }) => ({ n, square: n * n })));

describe('weft map', { timeout: 180_000 }, () => {
  for (const mode of ['tasks', 'threads', 'processes']) {
    test(`--mode ${mode}: results in input order; failed lines on stderr, written as null, exit 1`, async () => {
      const input = scratch.file(`mixed-${mode}.jsonl`, MIXED);
      const run = await weftMap([`${FUNCTIONS}square`, input, '--mode', mode, '--workers', '2']);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, MIXED_OUT);
      assertMixedErrors(run.stderr);
    });

    test(`--mode ${mode}: 500 lines from stdin, in order, nothing on stderr when piped`, async () => {
      const run = await weftMap([`${FUNCTIONS}square`, '--mode', mode], jsonLines(numbers));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, squares);
      assert.equal(run.stderr, '');
    });
  }

  test('--unordered writes {"line","result"} records; a failed line writes none', async () => {
    const input = scratch.file('mixed-unordered.jsonl', MIXED);
    const run = await weftMap([`${FUNCTIONS}square`, input, '--unordered', '--mode', 'threads']);
    assert.equal(run.code, 1, run.stderr);
    const records = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .sort((a, b) => a.line - b.line);
    assert.deepEqual(records, [
      { line: 1, result: { n: 1, square: 1 } },
      { line: 2, result: { n: 2, square: 4 } },
      { line: 6, result: { n: 5, square: 25 } },
    ]);
    const errors = run.stderr.trimEnd().split('\n').sort();
    assert.equal(errors.length, 2, run.stderr);
    assert.equal(errors[0], MIXED_ERRORS[0]);
  });

  test('--unordered over slow lines: every line once, finishing order not input order', async () => {
    // Line 1 waits longest: with 4 workers the others finish before it.
    const waits = [300, 1, 1, 1, 1, 1, 1, 1];
    const run = await weftMap(
      [`${FUNCTIONS}wait`, '--unordered', '--workers', '4'],
      jsonLines(waits),
    );
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).line);
    assert.deepEqual(
      [...lines].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(lines.at(-1), 1);
  });

  test('--output FILE: results go to the file, nothing to stdout', async () => {
    const input = scratch.file('numbers.jsonl', jsonLines(numbers));
    const output = scratch.path('numbers.out');
    const run = await weftMap([`${FUNCTIONS}square`, input, '--output', output]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(scratch.read('numbers.out'), squares);
  });

  test('a result with no JSON (a BigInt) fails its line; undefined is written as null', async () => {
    const run = await weftMap([`${FUNCTIONS}bigint`], '1\n"x"\n');
    assert.equal(run.code, 1);
    assert.equal(run.stdout, 'null\nnull\n');
    const lines = run.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^line 1: TypeError: .*BigInt/);
    assert.match(lines[1]!, /^line 2: SyntaxError: /);
    const undefinedRun = await weftMap([`${FUNCTIONS}nothing`], '1\n2\n');
    assert.equal(undefinedRun.code, 0, undefinedRun.stderr);
    assert.equal(undefinedRun.stdout, 'null\nnull\n');
  });

  for (const mode of ['threads', 'processes']) {
    test(`--mode ${mode}: a line that kills its worker fails alone; the others are done`, async () => {
      const values = ['a', 'b', 'die', 'c', 'd'];
      const run = await weftMap(
        [`${FUNCTIONS}dieOn`, '--mode', mode, '--workers', '1'],
        jsonLines(values),
      );
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '"a"\n"b"\nnull\n"c"\n"d"\n');
      assert.match(run.stderr.trimEnd(), /^line 3: WorkerCrashedError: [^\n]*$/);
    });
  }

  test('a plain (unmarked) function runs in tasks mode', async () => {
    const run = await weftMap([`${FUNCTIONS}plainEcho`], '[1,2]\n{"a":null}\n');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '[1,2]\n{"a":null}\n');
  });

  describe('usage errors: exit 2, what was wrong and what to do, no output', () => {
    const cases: [string, string[], RegExp, RegExp][] = [
      ['no function', [], /which function/, /MODULE#EXPORT/],
      [
        'a module that does not exist',
        ['./no/such/module.mjs#f'],
        /cannot load module/,
        /JavaScript module/,
      ],
      [
        'an export that does not exist',
        [`${FUNCTIONS}nope`],
        /no function export named 'nope'/,
        /square/,
      ],
      [
        'a plain function in threads mode',
        [`${FUNCTIONS}plainEcho`, '--mode', 'threads'],
        /plainEcho is not portable/,
        /portable\(import\.meta\.url/,
      ],
      [
        'a plain function in processes mode',
        [`${FUNCTIONS}plainEcho`, '--mode', 'processes'],
        /not portable/,
        /--mode tasks/,
      ],
      [
        '--redis without --mode redis',
        [`${FUNCTIONS}echo`, '--redis', 'redis://127.0.0.1:6379'],
        /--redis is for --mode redis only/,
        /--mode redis/,
      ],
      [
        'an unknown mode',
        [`${FUNCTIONS}echo`, '--mode', 'fibers'],
        /--mode fibers is not a mode/,
        /threads/,
      ],
      [
        '--workers 0',
        [`${FUNCTIONS}echo`, '--workers', '0'],
        /--workers must be a whole number >= 1/,
        /--workers 4/,
      ],
      [
        '--resume without --output',
        [`${FUNCTIONS}echo`, '--resume'],
        /--resume needs --output/,
        /--output FILE/,
      ],
      [
        'a FILE that does not exist',
        [`${FUNCTIONS}echo`, 'no-such-input.jsonl'],
        /no such file/,
        /stdin/,
      ],
      [
        'an unknown option',
        [`${FUNCTIONS}echo`, '--fast'],
        /unknown option --fast/,
        /weft map --help/,
      ],
      ['two files', [`${FUNCTIONS}echo`, 'a', 'b'], /unexpected argument 'b'/, /one FILE/],
    ];
    for (const [what, args, message, hint] of cases) {
      test(what, async () => {
        const run = await weftMap(args, '1\n');
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stdout, '');
        const [first, second] = run.stderr.split('\n');
        assert.match(first!, /^weft map: /);
        assert.match(first!, message);
        assert.match(second!, hint);
      });
    }
  });

  test('--help lists every option', async () => {
    const run = await weftMap(['--help']);
    assert.equal(run.code, 0);
    for (const flag of [
      '--mode',
      '--workers',
      '--unordered',
      '--output',
      '--resume',
      '--no-progress',
    ]) {
      assert.ok(run.stdout.includes(flag), flag);
    }
  });
});
