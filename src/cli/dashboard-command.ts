/**
 * `weft dashboard --redis URL --port P [--host H]`: serves the live dashboard of a Redis
 * (src/dashboard/) until SIGINT or SIGTERM. `weft dashboard --local --port P -- SCRIPT
 * [ARGS…]`: runs `node SCRIPT ARGS…` with the dashboard of that program served from inside it
 * (local-run.ts). weft/redis and the server load only when this command runs.
 * @module
 */
import { parseFlags, wholeNumber } from './flags.js';
import { runWithLocalDashboard } from './local-run.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'weft dashboard';
const HINT = "Run 'weft dashboard --help' to see its options.";
const DEFAULT_PORT = 8080;

export const DASHBOARD_HELP = `Usage: weft dashboard [--redis URL] [--port P] [--host H]
       weft dashboard --local [--port P] [--host H] -- SCRIPT [ARGS...]

Serves a web page that shows, live, every weft queue and RedisExecutor task queue on the
Redis at URL (waiting, in flight, rate over the last minute, oldest item), every worker
(health, last heartbeat, current task, done and failed) and the dead letters, each with a
re-drive button. Stop it with Ctrl-C.

With --local, runs 'node SCRIPT ARGS...' and serves the same page for that program: its
queues, executors and pools (waiting, in flight or running, rates over the last minute)
and their worker threads and processes. The page ends with the program; weft exits with
its exit code (or its signal), and passes Ctrl-C and SIGTERM on to it.

Options:
  --redis URL   the Redis server (default: WEFT_REDIS_URL, else redis://127.0.0.1:6379)
  --local       the dashboard of the program SCRIPT (not with --redis)
  --port P      the HTTP port (default ${DEFAULT_PORT}; 0: any free port)
  --host H      the address to listen on (default 127.0.0.1: this machine only; the page
                can re-drive dead letters, so open it wider only on a network you trust)
  -h, --help    show this help

See docs/dashboard.md.
`;

const FLAGS = {
  redis: { type: 'string' },
  local: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LOCAL_USAGE = 'For example: weft dashboard --local --port 8080 -- app.js';

/** Runs `weft dashboard` with `argv` (what follows `dashboard`) until SIGINT or SIGTERM. */
export async function dashboardCommand(argv: readonly string[]): Promise<void> {
  // What follows `--` is the program of --local, its own flags included.
  const end = argv.indexOf('--');
  const program = end < 0 ? [] : argv.slice(end + 1);
  const { values, positionals } = parseFlags(
    COMMAND,
    end < 0 ? argv : argv.slice(0, end),
    FLAGS,
    HINT,
  );
  if (values.help === true) {
    process.stdout.write(DASHBOARD_HELP);
    return;
  }
  if (positionals.length > 0) {
    const hint = values.local === true ? `Put the program after --. ${LOCAL_USAGE}` : HINT;
    throw new UsageError(COMMAND, `unexpected argument '${positionals[0]}'`, hint);
  }
  const port =
    typeof values.port === 'string'
      ? wholeNumber(COMMAND, 'port', values.port, 0, DEFAULT_PORT)
      : DEFAULT_PORT;
  if (port > 65_535) {
    throw new UsageError(COMMAND, `--port must be at most 65535, got '${values.port}'`, HINT);
  }
  const redis = typeof values.redis === 'string' ? values.redis : undefined;
  const host = typeof values.host === 'string' ? values.host : undefined;
  if (values.local === true) {
    if (redis !== undefined) {
      throw new UsageError(
        COMMAND,
        '--local and --redis cannot go together',
        'Give --local for the dashboard of a program, or --redis for that of a Redis.',
      );
    }
    if (program.length === 0) {
      throw new UsageError(COMMAND, '--local needs the program to run after --', LOCAL_USAGE);
    }
    process.exitCode = await runWithLocalDashboard(program, port, host);
    return;
  }
  if (end >= 0) {
    throw new UsageError(
      COMMAND,
      `a program to run (after --) needs --local`,
      `${LOCAL_USAGE}. ${HINT}`,
    );
  }
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) {
    throw new UsageError(
      COMMAND,
      `--redis must be a redis:// or rediss:// URL, got '${redis}'`,
      'For example: --redis redis://127.0.0.1:6379',
    );
  }
  const { serveDashboard } = await import('../redis/index.js');
  let dashboard: Awaited<ReturnType<typeof serveDashboard>>;
  try {
    dashboard = await serveDashboard({ port, host, redis });
  } catch (error) {
    // Redis unreachable (the message names the address) or the port taken: no stack trace.
    const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    const why = taken ? `port ${port} is in use; choose another with --port` : '';
    process.stderr.write(`${COMMAND}: ${why || (error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`weft dashboard: ${dashboard.url}  (Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await dashboard.close();
}
