/**
 * Runs every benchmark suite in one process and prints a table per suite with the
 * DESIGN.md targets checked (`npm run bench`).
 *
 *   node --import tsx bench/run.ts [--quick] [--json]
 *
 * `--quick` shrinks item counts and rounds for a smoke test; `--json` prints the results
 * as JSON on stdout instead of the tables. Progress always goes to stderr.
 * @module
 */
import os from 'node:os';
import { actorSuites } from './actor.js';
import {
  describeComparison,
  describeTarget,
  machine,
  renderTable,
  type Settings,
  type Table,
} from './harness.js';
import { lockSuites } from './lock.js';
import { processPoolSuites } from './process-pool.js';
import { queueSuites } from './queue.js';
import { spawnSuites } from './spawn.js';
import { taskPoolSuites } from './task-pool.js';
import { threadPoolSuites } from './thread-pool.js';

const KNOWN_FLAGS = new Set(['--quick', '--json']);

function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !KNOWN_FLAGS.has(arg));
  if (unknown.length > 0) {
    process.stderr.write(`usage: node --import tsx bench/run.ts [--quick] [--json]\n`);
    process.exitCode = 2;
    return Promise.resolve();
  }
  const quick = args.includes('--quick');
  const json = args.includes('--json');
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
    processMapItems: quick ? 20_000 : 100_000,
    processChunksize: 100,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  return runAll(settings, json);
}

async function runAll(settings: Settings, json: boolean): Promise<void> {
  const started = performance.now();
  const about = machine();
  settings.log(
    `machine: ${about.cpu}, ${about.cores} cores, ${about.os}; node ${about.node}, python ${about.python}`,
  );
  // Lock, Queue and the thread and process pools first: they start no weft task, so they run
  // before weft's first task turns on Node's AsyncLocalStorage promise hook, which slows
  // every promise of the process after.
  const tables: Table[] = [
    ...(await lockSuites(settings)),
    ...(await queueSuites(settings)),
    ...(await threadPoolSuites(settings)),
    ...(await processPoolSuites(settings)),
    ...(await taskPoolSuites(settings)),
    ...(await spawnSuites(settings)),
    ...(await actorSuites(settings)),
  ];
  const seconds = (performance.now() - started) / 1000;
  // Load from other processes disturbs timings; the load average at both ends tells how much.
  const loadAtEnd = os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
  settings.log(`done in ${seconds.toFixed(0)} s`);

  if (json) {
    const report = {
      date: new Date().toISOString(),
      machine: about,
      settings: {
        quick: settings.quick,
        rounds: settings.rounds,
        lockOps: settings.lockOps,
        lockTasks: settings.lockTasks,
        queueItems: settings.queueItems,
        queueMaxsize: settings.queueMaxsize,
        poolTasks: settings.poolTasks,
        poolBatches: settings.poolBatches,
        spawnTasks: settings.spawnTasks,
        spawnBatches: settings.spawnBatches,
        actorMessages: settings.actorMessages,
        threadTasks: settings.threadTasks,
        threadLatencyCalls: settings.threadLatencyCalls,
        fibN: settings.fibN,
        fibItems: settings.fibItems,
        processTasks: settings.processTasks,
        processMapItems: settings.processMapItems,
        processChunksize: settings.processChunksize,
      },
      seconds,
      loadAtEnd,
      suites: tables,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const out = [
    `machine: ${about.cpu} x ${about.cores} cores, ${about.os}`,
    `node ${about.node}, python ${about.python}`,
    `load average (1, 5, 15 min) at start ${about.loadavg}, at end ${loadAtEnd}; took ${seconds.toFixed(0)} s`,
    `${settings.rounds} timed rounds after one warm-up round; rates are medians${settings.quick ? ' (--quick)' : ''};`,
    'spread = (fastest - slowest round) / median; ratios are ratios of the medians',
    '',
  ];
  for (const table of tables) out.push(renderTable(table), '');
  out.push('## Targets', '');
  for (const table of tables) {
    for (const target of table.targets) out.push(`- ${table.title}: ${describeTarget(target)}`);
    for (const comparison of table.comparisons)
      out.push(`- ${table.title}: ${describeComparison(comparison)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
