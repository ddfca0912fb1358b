#!/usr/bin/env node
/**
 * The `weft` command: argument parsing and dispatch only; the demos live in `src/demo`.
 * Usage mistakes print what was wrong and what to do on stderr and exit with code 2.
 * @module
 */
// Every kind of primitive an argument may hold must be known before one crosses.
import '../kinds.js';
import { readFileSync } from 'node:fs';
import type { Dashboard } from '../dashboard/serve-dashboard.js';
import {
  DISHES_DEFAULTS,
  DISHES_MINIMUMS,
  DISHES_MODES,
  DISHES_WORK,
  type DishesMode,
  type DishesOptions,
  type DishesSummary,
  runDishes,
} from '../demo/dishes.js';
import { HISTORY_FILE, recordModeRun } from '../demo/mode-history.js';
import { progressReporter } from '../demo/progress.js';
import { RedisUnavailableError } from '../errors.js';
import { type FlagSpecs, parseFlags, wholeNumber } from './flags.js';
import { UsageError } from './usage-error.js';
import { worker } from './worker-command.js';

const HELP = `weft — Python's concurrency model for Node.js

Usage:
  weft map MODULE#EXPORT [FILE] [options]
                               call EXPORT on every JSON line of FILE (or stdin), in tasks,
                               threads or processes; one JSON result a line on stdout
  weft demo dishes [options]   run the dish-washing pipeline: washers -> dryers -> stackers
  weft worker [options]        run the tasks of a Redis task queue (RedisExecutor's workers)
  weft dashboard [options]     serve a live web page of the queues, workers and dead letters
                               on a Redis
  weft --help                  show this help
  weft --version               print weft's version

Run 'weft <command> --help' (map, demo dishes, worker, dashboard) to see its options.
`;

const DISHES = 'weft demo dishes';
const d = DISHES_DEFAULTS;
const DISHES_HELP = `Usage: weft demo dishes [options]

Washers take dirty dishes and put them on a bounded queue, dryers take them from there
and put them on a second queue, stackers finish them. Each stage calls taskDone() for every
dish it took, and join() on the queues tells the program when every dish is done.
With --mode threads each dryer runs in its own worker thread, with --mode processes in its
own child process, on handles to the queues of the main thread; washers and stackers stay
tasks of the main thread. With --mode redis the two queues are RedisQueues (named for this
run, deleted at its end) and each dryer is a child process with clients of its own: the
dishes cross between processes through Redis, as they would between machines.

Options:
  --dishes N       dishes to wash (default ${d.dishes})
  --washers N      washer tasks (default ${d.washers})
  --dryers N       dryers: tasks, threads or processes by --mode (default ${d.dryers})
  --stackers N     stacker tasks (default ${d.stackers})
  --queue-size N   room on each queue between two stages (default ${d.queueSize})
  --wash-ms N      ms of work to wash one dish (default ${d.washMs}; 0 = just yield)
  --dry-ms N       ms of work to dry one dish (default ${d.dryMs})
  --stack-ms N     ms of work to stack one dish (default ${d.stackMs})
  --mode MODE      where the dryers run: ${DISHES_MODES.join(' or ')} (default ${d.mode})
  --redis URL      the Redis of --mode redis (default WEFT_REDIS_URL, else redis://127.0.0.1:6379)
  --work WORK      what drying is: sleep (waiting, as for I/O) or cpu (checksumming the
                   dish's bytes for about --dry-ms of this machine's CPU) (default ${d.work})
  --no-progress    no live progress lines, only the final state and the summary
  --dashboard P    serve the live dashboard of the run's queues on port P while it runs
                   (of its Redis with --mode redis); its address goes to stderr
  -h, --help       show this help

The last line compares the modes run with the same options on this machine (kept in
${HISTORY_FILE}): with --work sleep threads and processes only add their start-up;
with --work cpu they dry more dishes a second.
`;

/** Numeric flags of the dishes demo and the option each one sets. */
const DISHES_NUMBERS = {
  dishes: 'dishes',
  washers: 'washers',
  dryers: 'dryers',
  stackers: 'stackers',
  'queue-size': 'queueSize',
  'wash-ms': 'washMs',
  'dry-ms': 'dryMs',
  'stack-ms': 'stackMs',
} as const satisfies Record<string, keyof typeof DISHES_MINIMUMS>;

const DISHES_FLAGS = {
  ...Object.fromEntries(Object.keys(DISHES_NUMBERS).map((flag) => [flag, { type: 'string' }])),
  mode: { type: 'string' },
  work: { type: 'string' },
  redis: { type: 'string' },
  dashboard: { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
  } else if (command === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
  } else if (command === 'map') {
    // Loaded only when asked for: the other commands do without the map's code.
    const { mapCommand } = await import('./map-command.js');
    process.exitCode = await mapCommand(rest);
  } else if (command === 'demo') {
    await demo(rest);
  } else if (command === 'worker') {
    await worker(rest);
  } else if (command === 'dashboard') {
    const { dashboardCommand } = await import('./dashboard-command.js');
    await dashboardCommand(rest);
  } else if (command === undefined) {
    throw new UsageError('weft', 'no command given', "Run 'weft --help' to see the commands.");
  } else if (command.startsWith('-')) {
    throw new UsageError(
      'weft',
      `unknown option ${command}`,
      "Run 'weft --help' to see the usage.",
    );
  } else {
    throw new UsageError(
      'weft',
      `unknown command '${command}'`,
      "Run 'weft --help' to see the commands.",
    );
  }
}

async function demo(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === 'dishes') return dishes(rest);
  const hint = "The demos are: dishes. Try 'weft demo dishes'.";
  if (name === undefined) throw new UsageError('weft demo', 'which demo?', hint);
  throw new UsageError('weft demo', `unknown demo '${name}'`, hint);
}

async function dishes(argv: string[]): Promise<void> {
  const hint = "Run 'weft demo dishes --help' to see its options.";
  const { values, positionals } = parseFlags(DISHES, argv, DISHES_FLAGS, hint);
  const [extra] = positionals;
  if (extra !== undefined) {
    const guess = /^\d+$/.test(extra) ? `Did you mean --dishes ${extra}? ` : '';
    throw new UsageError(DISHES, `unexpected argument '${extra}'`, guess + hint);
  }
  if (values.help) {
    process.stdout.write(DISHES_HELP);
    return;
  }
  const options: Partial<DishesOptions> = {};
  for (const [flag, key] of Object.entries(DISHES_NUMBERS)) {
    const text = values[flag];
    if (typeof text === 'string')
      options[key] = wholeNumber(DISHES, flag, text, DISHES_MINIMUMS[key], DISHES_DEFAULTS[key]);
  }
  if (typeof values.mode === 'string') options.mode = parseMode(values.mode);
  if (typeof values.work === 'string') options.work = parseWork(values.work);
  if (typeof values.redis === 'string') {
    if (options.mode !== 'redis') {
      throw new UsageError(
        DISHES,
        '--redis names the Redis of --mode redis',
        `Add --mode redis, or drop --redis. ${hint}`,
      );
    }
    options.redis = values.redis;
  }
  const live = values['no-progress'] !== true && process.stdout.isTTY === true;
  const port = typeof values.dashboard === 'string' ? parsePort(values.dashboard) : undefined;
  let summary: DishesSummary;
  let dashboard: Dashboard | undefined;
  try {
    if (port !== undefined) dashboard = await dishesDashboard(port, options);
    summary = await runDishes(options, progressReporter(process.stdout, { live }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`${DISHES}: port ${port} is in use; choose another with --dashboard\n`);
      process.exitCode = 1;
      return;
    }
    if (!(error instanceof RedisUnavailableError)) throw error;
    // The message names the address and what to start: no stack trace.
    process.stderr.write(
      `${DISHES}: ${error.message}\n--mode redis needs a Redis server: start one, or name a running one with --redis URL.\n`,
    );
    process.exitCode = 1;
    return;
  } finally {
    await dashboard?.close();
  }
  process.stdout.write(`\n${recordModeRun(summary, DISHES_MODES)}\n`);
}

/**
 * The dashboard of a dishes run, made before the run's queues are: of this program, or with
 * `--mode redis` of its Redis. Its address goes to stderr, out of the progress lines' way.
 */
async function dishesDashboard(port: number, options: Partial<DishesOptions>): Promise<Dashboard> {
  const { serveDashboard } =
    options.mode === 'redis'
      ? await import('../redis/index.js')
      : await import('../dashboard/serve-dashboard.js');
  const dashboard = await serveDashboard({ port, redis: options.redis });
  process.stderr.write(`${DISHES}: dashboard at ${dashboard.url}\n`);
  return dashboard;
}

/** The value of `--dashboard text`: a TCP port (0: any free one). */
function parsePort(text: string): number {
  const port = wholeNumber(DISHES, 'dashboard', text, 0, 8080);
  if (port > 65_535) {
    throw new UsageError(
      DISHES,
      `--dashboard must be at most 65535, got '${text}'`,
      'For example: --dashboard 8080',
    );
  }
  return port;
}

/** The value of `--mode text`: one of the modes the demo runs. */
function parseMode(text: string): DishesMode {
  const mode = DISHES_MODES.find((known) => known === text);
  if (mode !== undefined) return mode;
  const why = `--mode ${text} is not a mode`;
  const choices = DISHES_MODES.map((known) => `--mode ${known}`).join(' or ');
  throw new UsageError(DISHES, why, `Use ${choices} (default: ${DISHES_DEFAULTS.mode}).`);
}

/** The value of `--work text`: sleep or cpu. */
function parseWork(text: string): DishesOptions['work'] {
  const work = DISHES_WORK.find((known) => known === text);
  if (work !== undefined) return work;
  throw new UsageError(
    DISHES,
    `--work ${text} is not a kind of work`,
    `Use --work sleep or --work cpu (default: ${DISHES_DEFAULTS.work}).`,
  );
}

// A reader that stops early (`weft demo dishes | head -3`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.command}: ${err.message}\n${err.hint}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `weft: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  }
});
