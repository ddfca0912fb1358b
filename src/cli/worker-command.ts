/**
 * `weft worker`: a `RedisWorker` from the command line. weft/redis (and ioredis) load only
 * when this command runs. SIGTERM or SIGINT closes the worker gracefully: it takes no more
 * tasks, lets those running finish within `--close-timeout`, gives the rest back to the
 * queue, and exits with code 0.
 * @module
 */
import { parseArgs } from 'node:util';
import type { WorkerMode } from '../redis/task-runner.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'weft worker';
const MODES = ['tasks', 'threads', 'processes'] as const satisfies readonly WorkerMode[];

export const WORKER_HELP = `Usage: weft worker --queue NAME --module PATH [--module PATH ...] [options]

Runs the tasks that RedisExecutor({ queue: NAME }) submits, from the modules named with
--module only (a task naming any other module fails without loading it). SIGTERM or SIGINT
stops it gracefully: the tasks running finish (or go back to the queue after
--close-timeout) and it exits with code 0.

Options:
  --queue NAME               the task queue (required)
  --module PATH              a module whose portable exports it may run (required; repeat for more)
  --redis URL                the Redis server (default: WEFT_REDIS_URL, else redis://127.0.0.1:6379)
  --concurrency N            tasks run at once (default 1)
  --mode MODE                where tasks run: ${MODES.join(', ')} (default tasks)
  --visibility-timeout MS    lease length: a dead worker's tasks go to another after it (default 30000)
  --heartbeat MS             ms between heartbeats (default 2000)
  --close-timeout MS         on SIGTERM/SIGINT, ms the running tasks may take (default 30000)
  -h, --help                 show this help
`;

const FLAGS = {
  queue: { type: 'string' },
  module: { type: 'string', multiple: true },
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  mode: { type: 'string' },
  'visibility-timeout': { type: 'string' },
  heartbeat: { type: 'string' },
  'close-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HINT = "Run 'weft worker --help' to see its options.";

/** Runs `weft worker` with `argv` (what follows `worker`) until SIGTERM or SIGINT. */
export async function worker(argv: string[]): Promise<void> {
  const { values, tokens } = parseArgs({
    args: argv,
    options: FLAGS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw new UsageError(
        COMMAND,
        `unexpected argument '${token.value}'`,
        `Did you mean --module ${token.value}? ${HINT}`,
      );
    }
    if (token.kind !== 'option') continue;
    const spec = (FLAGS as Record<string, { type: string }>)[token.name];
    if (spec === undefined) throw new UsageError(COMMAND, `unknown option ${token.rawName}`, HINT);
    if (spec.type === 'string' && token.value === undefined) {
      throw new UsageError(COMMAND, `${token.rawName} needs a value`, HINT);
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(COMMAND, `${token.rawName} takes no value`, HINT);
    }
  }
  if (values.help) {
    process.stdout.write(WORKER_HELP);
    return;
  }
  const queue = values.queue;
  if (typeof queue !== 'string') {
    throw new UsageError(
      COMMAND,
      'which queue? --queue is required',
      'For example: weft worker --queue jobs --module ./dist/tasks.js',
    );
  }
  const modules = (values.module ?? []) as string[];
  if (modules.length === 0) {
    throw new UsageError(
      COMMAND,
      'no --module given: the worker runs tasks only from the modules it is told',
      `For example: weft worker --queue ${queue} --module ./dist/tasks.js`,
    );
  }
  const mode = values.mode === undefined ? 'tasks' : MODES.find((known) => known === values.mode);
  if (mode === undefined) {
    throw new UsageError(
      COMMAND,
      `--mode ${String(values.mode)} is not a mode`,
      `Use ${MODES.map((m) => `--mode ${m}`).join(' or ')} (default: tasks).`,
    );
  }
  const concurrency = whole(values.concurrency, 'concurrency', 1, 8);
  const visibilityTimeout = whole(
    values['visibility-timeout'],
    'visibility-timeout',
    30_000,
    30_000,
  );
  const heartbeatInterval = whole(values.heartbeat, 'heartbeat', 2_000, 2_000);
  const closeTimeout = whole(values['close-timeout'], 'close-timeout', 30_000, 30_000, 0);

  const { RedisWorker } = await import('../redis/redis-worker.js');
  let redisWorker: InstanceType<typeof RedisWorker>;
  try {
    redisWorker = new RedisWorker({
      queue,
      modules,
      concurrency,
      mode,
      visibilityTimeout,
      heartbeatInterval,
      ...(typeof values.redis === 'string' && { redis: values.redis }),
    });
  } catch (error) {
    // A bad name or a module that does not exist: the command line's mistake.
    throw new UsageError(
      COMMAND,
      (error as Error).message.replace(/^new RedisWorker\(options\): /, ''),
      HINT,
    );
  }
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  try {
    await redisWorker.start();
  } catch (error) {
    // Redis unreachable (the message names the address and what to start): no stack trace.
    process.stderr.write(`${COMMAND}: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(
    `${COMMAND} ${redisWorker.id}: queue ${queue}, concurrency ${concurrency}, mode ${mode}; ` +
      `modules ${redisWorker.modules.join(', ')}\n`,
  );
  const signal = await stopped;
  process.stderr.write(
    `${COMMAND} ${redisWorker.id}: ${signal}, closing (tasks running: ${redisWorker.running})\n`,
  );
  await redisWorker.close({ timeout: closeTimeout });
  process.stderr.write(`${COMMAND} ${redisWorker.id}: closed\n`);
}

/** The value of `--flag text`: a whole number >= `min` (`fallback` when absent). */
function whole(text: unknown, flag: string, fallback: number, example: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      COMMAND,
      `--${flag} must be a whole number >= ${min}, got '${String(text)}'`,
      `For example: --${flag} ${example}`,
    );
  }
  return value;
}
