/**
 * `weft map` as a user runs it: the built command (dist/cli/weft.js) in a child process
 * over generated files, start-up and all. Two aims (issue 15):
 * - a CPU-bound export over 10,000 lines runs at least 1.85 times faster with
 *   `--workers 2 --mode threads` than with `--workers 1`;
 * - trivial lines go through at least 50,000 per second in tasks mode (at most 20 µs a line).
 * The functions are those of the tests (test/fixtures/map-functions.mjs); every run's
 * output is checked line by line against the input.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type Contender,
  makeTable,
  measure,
  type Row,
  type Settings,
  type Table,
} from './harness.js';

const WEFT = fileURLToPath(new URL('../dist/cli/weft.js', import.meta.url));
const FUNCTIONS = fileURLToPath(new URL('../test/fixtures/map-functions.mjs', import.meta.url));
/**
 * Rounds of `churn` per line: about 0.8 ms of one core on this project's machines, so that
 * 10,000 lines are some 8 s of work and the start-up (node, the module, and each thread's
 * own start, which the second worker adds: together about 0.3 s of CPU) weighs little in
 * the ratio.
 */
const CHURN_ROUNDS = 600_000;

/** Runs `weft map ...args`, rejecting unless it exits 0. */
function weftMap(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WEFT, 'map', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`weft map ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

/** A contender that maps `input` to `output` with `args` and checks the output against `expected`. */
function mapContender(name: string, args: string[], output: string, expected: string): Contender {
  return {
    name,
    run: async () => {
      await weftMap([...args, '--output', output]);
      if (readFileSync(output, 'utf8') !== expected) throw new Error(`${name}: wrong output`);
    },
  };
}

export async function cliMapSuites(settings: Settings): Promise<Table[]> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-map-'));
  try {
    return [await cpuTable(settings, dir), await trivialTable(settings, dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cpuTable(settings: Settings, dir: string): Promise<Table> {
  const lines = settings.quick ? 2_000 : 10_000;
  const input = join(dir, 'cpu.jsonl');
  writeFileSync(input, `${CHURN_ROUNDS}\n`.repeat(lines));
  // Every line gives the same hash: computed here once, it is what every run must write.
  const { churn } = (await import(pathToFileURL(FUNCTIONS).href)) as {
    churn: (rounds: number) => number;
  };
  const want = `${churn(CHURN_ROUNDS)}\n`.repeat(lines);
  const one = 'weft map --mode threads --workers 1';
  const two = 'weft map --mode threads --workers 2';
  const base = [`${FUNCTIONS}#churn`, input, '--mode', 'threads'];
  settings.log(`cli-map: CPU-bound lines, ${lines} per run`);
  const rows = await measure(
    [
      mapContender(one, [...base, '--workers', '1'], join(dir, 'cpu1.out'), want),
      mapContender(two, [...base, '--workers', '2'], join(dir, 'cpu2.out'), want),
    ],
    lines,
    settings,
  );
  return makeTable({
    title: `weft map, CPU-bound export over ${lines.toLocaleString('en')} lines (whole command)`,
    unit: 'lines/s',
    ops: lines,
    references: [one],
    rows,
    targets: [{ subject: two, reference: one, atLeast: 1.85 }],
    notes: [
      `each line: ${CHURN_ROUNDS.toLocaleString('en')} rounds of an integer hash (\`churn\` in ` +
        'test/fixtures/map-functions.mjs, about 0.8 ms); the file is read from disk and the ' +
        'results written to a file; the time includes the start of node and of the workers.',
    ],
  });
}

async function trivialTable(settings: Settings, dir: string): Promise<Table> {
  const lines = settings.quick ? 50_000 : 200_000;
  const input = join(dir, 'trivial.jsonl');
  const text = Array.from({ length: lines }, (_, i) => `{"n":${i}}\n`).join('');
  writeFileSync(input, text);
  const name = 'weft map --mode tasks (echo)';
  settings.log(`cli-map: trivial lines, ${lines} per run`);
  const rates = await measure(
    [mapContender(name, [`${FUNCTIONS}#echo`, input], join(dir, 'trivial.out'), text)],
    lines,
    settings,
  );
  const perLine = (rate: number) => 1e6 / rate;
  const rows: Row[] = rates.map((row) => ({
    name: row.name,
    median: row.median === null ? null : perLine(row.median),
    samples: row.samples.map(perLine),
  }));
  return makeTable({
    title: `weft map, trivial lines in tasks mode (${lines.toLocaleString('en')} a run, whole command)`,
    unit: 'µs per line',
    ops: lines,
    references: [],
    rows,
    targets: [],
    latency: true,
    limits: [{ subject: name, atMost: 20 }],
    notes: ['the aim of 50,000 lines/s is at most 20 µs a line, start-up of node included.'],
  });
}
