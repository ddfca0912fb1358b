/**
 * Runs the benchmark suites in one process and prints a table per suite with the
 * performance aims (BENCHMARKS.md, "Aims") checked (`npm run bench`).
 *
 *   node --import tsx bench/run.ts [--quick] [--json] [suite[:part,...] ...]
 *
 * With no suite named, every suite runs, in the order of `SUITES`; otherwise only those
 * named (still in that order). A suite with parts (`SUITE_PARTS`) runs only the parts named
 * after a colon, e.g. `handles:manager` (still in the suite's order). `--quick` shrinks item counts and rounds for a smoke test;
 * `--json` prints the results as JSON on stdout instead of the tables. Progress always goes
 * to stderr.
 * @module
 */
import os from 'node:os';
import { actorSuites } from './actor.js';
import { cliMapSuites } from './cli-map.js';
import { HANDLES_PARTS, handlesSuites } from './handles.js';
import {
  describeComparison,
  describeLimit,
  describeTarget,
  machine,
  renderTable,
  type Settings,
  type Table,
} from './harness.js';
import { lockSuites } from './lock.js';
import { netConnectionSuites } from './net-connection.js';
import { NET_SERVER_PARTS, netServerSuites } from './net-server.js';
import { processPoolSuites } from './process-pool.js';
import { queueSuites } from './queue.js';
import { redisSuites } from './redis.js';
import { sharedSuites } from './shared.js';
import { spawnSuites } from './spawn.js';
import { startupSuites } from './startup.js';
import { taskPoolSuites } from './task-pool.js';
import { threadPoolSuites } from './thread-pool.js';

const KNOWN_FLAGS = new Set(['--quick', '--json']);

/**
 * Every suite, in the order they run. Lock, Queue and the thread and process pools come
 * first: they start no weft task, so they run before weft's first task turns on Node's
 * AsyncLocalStorage promise hook, which slows every promise of the process after.
 */
const SUITES: Record<string, (settings: Settings) => Promise<Table[]>> = {
  lock: lockSuites,
  queue: queueSuites,
  'thread-pool': threadPoolSuites,
  'process-pool': processPoolSuites,
  'task-pool': taskPoolSuites,
  spawn: spawnSuites,
  actor: actorSuites,
  startup: startupSuites,
  handles: handlesSuites,
  shared: sharedSuites,
  'net-connection': netConnectionSuites,
  'net-server': netServerSuites,
  'cli-map': cliMapSuites,
  redis: redisSuites,
};

/** The suites made of parts that can run alone (`handles:manager`): their parts' names. */
const SUITE_PARTS: Record<string, readonly string[]> = {
  handles: HANDLES_PARTS,
  'net-server': NET_SERVER_PARTS,
};

function main(): Promise<void> {
  const args = process.argv.slice(2);
  const parts: Record<string, string[]> = {};
  const named = args
    .filter((arg) => !arg.startsWith('--'))
    .map((arg) => {
      const [suite = '', list] = arg.split(':', 2);
      if (list !== undefined) (parts[suite] ??= []).push(...list.split(','));
      return suite;
    });
  const unknown = [
    ...args.filter((arg) => arg.startsWith('--') && !KNOWN_FLAGS.has(arg)),
    ...named.filter((name) => !Object.hasOwn(SUITES, name)),
    ...Object.entries(parts).flatMap(([suite, list]) =>
      list.filter((part) => !SUITE_PARTS[suite]?.includes(part)).map((part) => `${suite}:${part}`),
    ),
  ];
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown: ${unknown.join(' ')}\nusage: node --import tsx bench/run.ts [--quick] [--json] ` +
        `[${Object.keys(SUITES).join('|')} ...]\n` +
        Object.entries(SUITE_PARTS)
          .map(([suite, list]) => `parts of ${suite}: ${suite}:${list.join(',')}\n`)
          .join(''),
    );
    process.exitCode = 2;
    return Promise.resolve();
  }
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const suites = Object.keys(SUITES).filter((name) => named.length === 0 || named.includes(name));
  const settings: Settings = {
    quick,
    rounds: quick ? 3 : 7,
    lockOps: quick ? 100_000 : 1_000_000,
    lockTasks: 100,
    queueItems: quick ? 100_000 : 1_000_000,
    queueMaxsize: 100,
    poolTasks: 10_000,
    poolBatches: quick ? 2 : 100,
    spawnTasks: 100_000,
    spawnBatches: quick ? 1 : 3,
    actorMessages: quick ? 100_000 : 1_000_000,
    threadTasks: quick ? 2_000 : 20_000,
    threadLatencyCalls: quick ? 200 : 2_000,
    fibN: 33,
    fibItems: quick ? 4 : 16,
    processTasks: quick ? 2_000 : 10_000,
    processMapItems: quick ? 100_000 : 1_000_000,
    processChunksize: 100,
    processLatencyCalls: quick ? 200 : 1_000,
    startupCalls: quick ? 3 : 10,
    startupTsxCalls: 1,
    handleItems: quick ? 20_000 : 200_000,
    handleOps: quick ? 5_000 : 50_000,
    sharedStreamItems: quick ? 100_000 : 2_000_000,
    parts,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  return runAll(settings, suites, json);
}

async function runAll(settings: Settings, suites: string[], json: boolean): Promise<void> {
  const started = performance.now();
  const about = machine();
  settings.log(
    `machine: ${about.cpu}, ${about.cores} cores, ${about.os}; node ${about.node}, python ${about.python}`,
  );
  const tables: Table[] = [];
  for (const suite of suites) tables.push(...(await SUITES[suite]!(settings)));
  const seconds = (performance.now() - started) / 1000;
  // Load from other processes disturbs timings; the load average at both ends tells how much.
  const loadAtEnd = os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
  settings.log(`done in ${seconds.toFixed(0)} s`);

  if (json) {
    const { log: _log, ...sizes } = settings;
    const report = {
      date: new Date().toISOString(),
      machine: about,
      suites,
      settings: sizes,
      seconds,
      loadAtEnd,
      tables,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const out = [
    `machine: ${about.cpu} x ${about.cores} cores, ${about.os}`,
    `node ${about.node}, python ${about.python}`,
    `load average (1, 5, 15 min) at start ${about.loadavg}, at end ${loadAtEnd}; took ${seconds.toFixed(0)} s`,
    `suites: ${suites.join(', ')}`,
    `${settings.rounds} timed rounds after one warm-up round; rates are medians${settings.quick ? ' (--quick)' : ''};`,
    'spread = (fastest - slowest round) / median; ratios are ratios of the medians',
    '',
  ];
  for (const table of tables) out.push(renderTable(table), '');
  out.push('## Targets', '');
  for (const table of tables) {
    for (const target of table.targets) out.push(`- ${table.title}: ${describeTarget(target)}`);
    for (const limit of table.limits ?? []) out.push(`- ${table.title}: ${describeLimit(limit)}`);
    for (const comparison of table.comparisons)
      out.push(`- ${table.title}: ${describeComparison(comparison)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
