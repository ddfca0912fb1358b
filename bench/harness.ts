/**
 * Shared machinery of the benchmarks: timed rounds, medians, Python subprocesses, and the
 * tables and target lines `run.ts` prints.
 * @module
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection before every timed run, so no contender pays for another's garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Sizes of one benchmark run (`--quick` shrinks them for a smoke test). */
export interface Settings {
  quick: boolean;
  /** Timed rounds after the warm-up round; the median counts. */
  rounds: number;
  lockOps: number;
  lockTasks: number;
  queueItems: number;
  queueMaxsize: number;
  /** Tasks per TaskPool batch (10 000, as the target names), and batches per timed run. */
  poolTasks: number;
  poolBatches: number;
  /** Tasks per spawn + joinAll batch, and batches per timed run. */
  spawnTasks: number;
  spawnBatches: number;
  actorMessages: number;
  /** Trivial tasks per thread-pool throughput run, and sequential round trips per latency round. */
  threadTasks: number;
  threadLatencyCalls: number;
  /** The CPU-bound map: fib(`fibN`) over `fibItems` items. */
  fibN: number;
  fibItems: number;
  /**
   * Process pools: trivial tasks per task-by-task run, items per `map` run, and that map's
   * chunksize.
   */
  processTasks: number;
  processMapItems: number;
  processChunksize: number;
  /** Process pools: sequential round trips per round of the submit-and-await-each table. */
  processLatencyCalls: number;
  /** Start-up: starts (start + join) per contender per round, and under tsx (2 s each). */
  startupCalls: number;
  startupTsxCalls: number;
  /** Handles: items per Queue round (to a process, to a thread), and ops per dict or lock round. */
  handleItems: number;
  handleOps: number;
  /** Shared memory: items per SharedQueue streaming round (long enough to outlast a GC and a wake-up). */
  sharedStreamItems: number;
  /**
   * The parts to run of a suite that has parts (`handles:manager,lock` on the command line),
   * by suite; every part of a suite not named here.
   */
  parts?: Readonly<Record<string, readonly string[]>>;
  /** Progress lines go here (stderr), so stdout stays clean for `--json`. */
  log: (line: string) => void;
}

/** One implementation under test: `run()` performs the whole pattern once. */
export interface Contender {
  name: string;
  run: () => Promise<void>;
  /**
   * Checks, once and untimed before the warm-up, what a timed run cannot check cheaply (a
   * lock's mutual exclusion); throws when the contender is wrong, so it is never measured.
   */
  check?: () => Promise<void>;
  /** Runs untimed before each run (a history the timed run must follow). */
  prepare?: () => Promise<void>;
}

/** One implementation under a latency test: `call()` performs one operation, start to end. */
export interface LatencyContender {
  name: string;
  call: () => PromiseLike<unknown>;
  /** Runs untimed before each call (waits until a warm start has its spare ready, say). */
  prepare?: () => PromiseLike<unknown>;
}

/** One row of a table: median rate over the timed rounds, and every sample. */
export interface Row {
  name: string;
  /**
   * Operations (or items) per second, median of the rounds — or, in a latency table, µs
   * per operation, median of the rounds' medians; `null` when skipped.
   */
  median: number | null;
  samples: number[];
  note?: string;
}

/** "`subject` runs at least `atLeast` times as fast as `reference`". */
export interface Target {
  subject: string;
  reference: string;
  atLeast: number;
}

/**
 * A target checked over the rounds: `ratio` is the ratio of the medians; `roundsMet` counts
 * the rounds whose own ratio (subject's round r over reference's round r) meets the target,
 * of `rounds`; `verdict` sums both up (see `Verdict`).
 */
export interface TargetResult extends Target {
  /** Ratio of the two rows' medians. */
  ratio: number | null;
  met: boolean | null;
  roundsMet: number;
  rounds: number;
  verdict: Verdict;
}

/**
 * "met": the ratio of the medians meets the target, and so does every round; "usually met":
 * the medians meet it, some round did not; "usually missed": the medians miss it, some round
 * met it; "missed": the medians and every round miss it.
 */
export type Verdict = 'met' | 'usually met' | 'usually missed' | 'missed' | 'not measured';

/** The verdict of a target whose medians met it or not, met in `roundsMet` rounds of `rounds`. */
export function verdictOf(mediansMet: boolean | null, roundsMet: number, rounds: number): Verdict {
  if (mediansMet === null || rounds === 0) return 'not measured';
  if (mediansMet) return roundsMet === rounds ? 'met' : 'usually met';
  return roundsMet > 0 ? 'usually missed' : 'missed';
}

/**
 * An aim on a latency table: `subject` takes at most `atMost` times as long as `reference`
 * or, without a reference, at most `atMost` µs.
 */
export interface TimeLimit {
  subject: string;
  reference?: string;
  atMost: number;
}

/** A time limit checked over the rounds, as `TargetResult` (`value`: the ratio, or the µs). */
export interface TimeLimitResult extends TimeLimit {
  value: number | null;
  met: boolean | null;
  roundsMet: number;
  rounds: number;
  verdict: Verdict;
}

/** A ratio worth printing that the performance aims set no target for. */
export interface Comparison {
  subject: string;
  reference: string;
  ratio: number | null;
}

export interface Table {
  title: string;
  unit: string;
  /** Operations (or items) per timed run. */
  ops: number;
  /** Rows the ratio columns divide by, as the targets name them. */
  references: string[];
  rows: Row[];
  targets: TargetResult[];
  /** Ratios printed without a target. */
  comparisons: Comparison[];
  notes: string[];
  /**
   * Medians are µs per operation (lower is better) instead of rates; the ratio columns
   * then divide times. Such a table has no targets or comparisons, but may have limits.
   */
  latency?: boolean;
  /** Aims on a latency table. */
  limits?: TimeLimitResult[];
}

/**
 * Times every contender: one warm-up run each, then `rounds` rounds in which each runs
 * once, in an order rotated every round, so that a burst of load from elsewhere on the
 * machine spreads over all of them instead of hitting one.
 */
/** Something serving timed rounds (a child, a thread, a raw floor), closed after the measuring. */
export interface RoundServer {
  /** One round: `count` items or round trips, checked; throws when one went missing. */
  round(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A contender whose run is one round of `server`. */
export function roundContender(name: string, server: RoundServer, count: number): Contender {
  return { name, run: () => server.round(count) };
}

/** Measures `contenders`, then closes every server they use, even when a round failed. */
export async function measureServed(
  contenders: Contender[],
  servers: RoundServer[],
  ops: number,
  settings: Settings,
): Promise<Row[]> {
  try {
    return await measure(contenders, ops, settings);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

export async function measure(
  contenders: Contender[],
  ops: number,
  settings: Settings,
): Promise<Row[]> {
  for (const contender of contenders) await contender.check?.();
  return rotate(contenders, settings, async (contender) => {
    await contender.prepare?.();
    const start = now();
    await contender.run();
    return ops / ((now() - start) / 1000);
  });
}

/**
 * The clock of `measure`, in ms: the wall clock, or with `BENCH_CLOCK=cpu` the CPU time of
 * this process (all its threads), which a busy shared machine disturbs far less. Only for
 * suites that run in this process: a pool's child processes are not counted.
 */
const now: () => number =
  process.env.BENCH_CLOCK === 'cpu'
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

/**
 * Median latency of every contender, in µs: each round times `calls` operations one after
 * the other and keeps their median; the row's figure is the median of the rounds'. Warm-up
 * and rotation as in `measure`.
 */
export async function measureLatency(
  contenders: LatencyContender[],
  calls: number,
  settings: Settings,
): Promise<Row[]> {
  return rotate(contenders, settings, async (contender) => {
    const times: number[] = new Array(calls);
    for (let i = 0; i < calls; i++) {
      await contender.prepare?.();
      const start = performance.now();
      await contender.call();
      times[i] = (performance.now() - start) * 1000;
    }
    return median(times);
  });
}

/** The rounds of `measure` and `measureLatency`: `sample` gives one contender's figure for one round. */
async function rotate<C extends { name: string }>(
  contenders: C[],
  settings: Settings,
  sample: (contender: C) => Promise<number>,
): Promise<Row[]> {
  const samples = contenders.map((): number[] => []);
  for (let round = -1; round < settings.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + Math.max(round, 0)) % contenders.length;
      collectGarbage();
      const figure = await sample(contenders[index]!);
      if (round >= 0) samples[index]!.push(figure);
    }
    settings.log(round < 0 ? '  warm-up done' : `  round ${round + 1}/${settings.rounds} done`);
  }
  return contenders.map((contender, i) => ({
    name: contender.name,
    median: median(samples[i]!),
    samples: samples[i]!,
  }));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Result of one Python subprocess: its JSON, or why there is none. */
export type PythonResult =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; note: string };

/** Runs `bench/python/<script>` once with `args` and parses the JSON it prints. */
export function runPython(script: string, args: (string | number)[]): PythonResult {
  const path = fileURLToPath(new URL(`./python/${script}`, import.meta.url));
  const child = spawnSync('python3', [path, ...args.map(String)], { encoding: 'utf8' });
  if (child.error) {
    const missing = (child.error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      note: missing ? 'python3 not found; skipped' : `python3 failed: ${child.error.message}`,
    };
  }
  if (child.status !== 0) {
    return { ok: false, note: `python3 ${script} exited ${child.status}: ${child.stderr.trim()}` };
  }
  return { ok: true, data: JSON.parse(child.stdout) as Record<string, unknown> };
}

/** Result of one fresh Node process running peers: its rows, or why there are none. */
export type FreshResult = { ok: true; rows: Row[] } | { ok: false; note: string };

/**
 * Measures the peer contenders of `suite` in a fresh Node process that never starts a weft
 * task (`bench/fresh.ts`). weft's first task turns on Node's AsyncLocalStorage promise hook,
 * which then slows every promise of the process, so peers measured after it pay a cost a
 * program without weft would not.
 */
export function runFresh(suite: string, settings: Settings): FreshResult {
  const path = fileURLToPath(new URL('./fresh.ts', import.meta.url));
  const { log: _log, ...sizes } = settings;
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, path, suite, JSON.stringify(sizes)],
    {
      encoding: 'utf8',
      // Progress lines of the child go straight to our stderr.
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (child.error) return { ok: false, note: `node failed: ${child.error.message}` };
  if (child.status !== 0)
    return { ok: false, note: `bench/fresh.ts ${suite} exited ${child.status}` };
  return { ok: true, rows: JSON.parse(child.stdout) as Row[] };
}

/** The table row `name` from a fresh-process result, renamed to `as`. */
export function freshRow(result: FreshResult, name: string, as: string): Row {
  if (!result.ok) return { name: as, median: null, samples: [], note: result.note };
  const row = result.rows.find((candidate) => candidate.name === name);
  if (row === undefined) return { name: as, median: null, samples: [], note: 'no such row' };
  return { ...row, name: as };
}

/** A table row from one pattern of a Python result. */
export function pythonRow(name: string, result: PythonResult, pattern: string): Row {
  if (!result.ok) return { name, median: null, samples: [], note: result.note };
  const entry = result.data[pattern] as { median: number; samples: number[] } | undefined;
  if (entry === undefined) return { name, median: null, samples: [], note: 'not measured' };
  return { name, median: entry.median, samples: entry.samples };
}

/** Completes a table: checks each target against the rows' medians. */
export function makeTable(
  fields: Omit<Table, 'targets' | 'comparisons' | 'notes' | 'limits'> & {
    targets: Target[];
    comparisons?: Omit<Comparison, 'ratio'>[];
    notes?: string[];
    limits?: TimeLimit[];
  },
): Table {
  const row = (name: string): Row | undefined => fields.rows.find((r) => r.name === name);
  const rate = (name: string): number | null => row(name)?.median ?? null;
  const targets = fields.targets.map((target): TargetResult => {
    const subject = rate(target.subject);
    const reference = rate(target.reference);
    const ratio = subject !== null && reference !== null ? subject / reference : null;
    // Round r of the subject against round r of the reference; a reference measured in
    // another process (Python, a fresh Node) ran its rounds apart, paired here by index.
    const ours = subject === null ? [] : row(target.subject)!.samples;
    const theirs = reference === null ? [] : row(target.reference)!.samples;
    const rounds = Math.min(ours.length, theirs.length);
    let roundsMet = 0;
    for (let r = 0; r < rounds; r++) if (ours[r]! / theirs[r]! >= target.atLeast) roundsMet++;
    const met = ratio === null ? null : ratio >= target.atLeast;
    return { ...target, ratio, met, roundsMet, rounds, verdict: verdictOf(met, roundsMet, rounds) };
  });
  const comparisons = (fields.comparisons ?? []).map((pair): Comparison => {
    const subject = rate(pair.subject);
    const reference = rate(pair.reference);
    return { ...pair, ratio: subject !== null && reference !== null ? subject / reference : null };
  });
  const limits = (fields.limits ?? []).map((limit) => checkLimit(limit, row));
  return { ...fields, targets, comparisons, notes: fields.notes ?? [], limits };
}

/** A time limit against the rows' medians and round by round (paired by index, as targets). */
function checkLimit(limit: TimeLimit, row: (name: string) => Row | undefined): TimeLimitResult {
  const subject = row(limit.subject);
  const reference = limit.reference === undefined ? undefined : row(limit.reference);
  const ours = subject?.median == null ? [] : subject.samples;
  const per = (time: number, r: number | undefined): number | null => {
    if (limit.reference === undefined) return time;
    if (reference?.median == null) return null;
    return time / (r === undefined ? reference.median : reference.samples[r]!);
  };
  const value = subject?.median == null ? null : per(subject.median, undefined);
  const rounds =
    value === null
      ? 0
      : limit.reference === undefined
        ? ours.length
        : Math.min(ours.length, reference!.samples.length);
  let roundsMet = 0;
  for (let r = 0; r < rounds; r++) if (per(ours[r]!, r)! <= limit.atMost) roundsMet++;
  const met = value === null ? null : value <= limit.atMost;
  return { ...limit, value, met, roundsMet, rounds, verdict: verdictOf(met, roundsMet, rounds) };
}

/** One line giving a time limit's verdict, as `describeTarget` does for a target. */
export function describeLimit(limit: TimeLimitResult): string {
  const aim =
    limit.reference === undefined
      ? `target ${limit.subject} <= ${formatMicros(limit.atMost)}`
      : `target ${limit.subject} <= ${limit.atMost}x the time of ${limit.reference}`;
  if (limit.value === null || limit.rounds === 0) return `${aim}: not measured`;
  const margin = (1 - limit.value / limit.atMost) * 100;
  const side = margin >= 0 ? 'within' : 'beyond';
  const figure =
    limit.reference === undefined
      ? `median ${formatMicros(limit.value)}`
      : `ratio of the medians ${limit.value.toFixed(2)}x`;
  return (
    `${aim}: ${limit.verdict.toUpperCase()}, ${limit.roundsMet} of ${limit.rounds} rounds ` +
    `met it; ${figure} (${Math.abs(margin).toFixed(0)}% ${side} the limit)`
  );
}

/** The machine and runtimes, for the report. */
export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: python.error ? 'not found' : python.stdout.trim().replace(/^Python /, ''),
    loadavg: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' '),
  };
}

/** A rate like `12.34 M`. */
export function formatRate(value: number | null): string {
  if (value === null) return '-';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} k`;
  return value.toFixed(1);
}

/** A latency like `41.2 µs`. */
export function formatMicros(value: number | null): string {
  if (value === null) return '-';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} ms` : `${value.toFixed(1)} µs`;
}

/** (slowest..fastest round) relative to the median: how much noise the row saw. */
function formatSpread(row: Row): string {
  if (row.median === null || row.samples.length === 0) return '-';
  const spread = (Math.max(...row.samples) - Math.min(...row.samples)) / row.median;
  return `${(spread * 100).toFixed(0)}%`;
}

function formatRatio(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}x`;
}

/** Renders a table as Markdown (readable in a terminal too), target lines and notes below. */
export function renderTable(table: Table): string {
  const vs = table.latency ? 'time vs' : 'vs';
  const format = table.latency ? formatMicros : formatRate;
  const header = [
    'contender',
    table.unit,
    'spread',
    ...table.references.map((ref) => `${vs} ${ref}`),
  ];
  const refRates = table.references.map(
    (ref) => table.rows.find((row) => row.name === ref)?.median ?? null,
  );
  const body = table.rows.map((row) => [
    row.note ? `${row.name} (${row.note})` : row.name,
    format(row.median),
    formatSpread(row),
    ...refRates.map((ref) =>
      formatRatio(row.median !== null && ref !== null ? row.median / ref : null),
    ),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const out = [`### ${table.title}`, '', line(header), rule, ...body.map(line), ''];
  for (const target of table.targets) out.push(`- ${describeTarget(target)}`);
  for (const limit of table.limits ?? []) out.push(`- ${describeLimit(limit)}`);
  for (const comparison of table.comparisons) out.push(`- ${describeComparison(comparison)}`);
  for (const note of table.notes) out.push(`- note: ${note}`);
  return out.join('\n');
}

/** One line giving the verdict over the rounds, the ratio of the medians and its margin. */
export function describeTarget(target: TargetResult): string {
  const aim = `target ${target.subject} >= ${target.atLeast}x ${target.reference}`;
  if (target.ratio === null || target.rounds === 0) return `${aim}: not measured`;
  const margin = (target.ratio / target.atLeast - 1) * 100;
  const side = margin >= 0 ? 'above' : 'below';
  return (
    `${aim}: ${target.verdict.toUpperCase()}, ${target.roundsMet} of ${target.rounds} rounds ` +
    `met it; ratio of the medians ${target.ratio.toFixed(2)}x ` +
    `(${Math.abs(margin).toFixed(0)}% ${side} the target)`
  );
}

/** One line giving a ratio that the performance aims set no target for. */
export function describeComparison(comparison: Comparison): string {
  const what = `${comparison.subject} / ${comparison.reference}`;
  if (comparison.ratio === null) return `${what}: not measured (no target)`;
  return `${what}: ${comparison.ratio.toFixed(2)}x (no target)`;
}
