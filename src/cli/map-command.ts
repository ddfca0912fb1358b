/**
 * `weft map MODULE#EXPORT [FILE] [options]`: the command line of the map — its flags, its
 * help, the checks that make a mistake a usage error (exit 2) before anything starts, and
 * the wiring of input, scope, output, progress and Ctrl-C around the run (map-runner.ts).
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { countLines } from './count-lines.js';
import { parseFlags, wholeNumber } from './flags.js';
import { LineInput } from './line-input.js';
import { FileOutput, type LineOutput, StreamOutput } from './line-output.js';
import { openRedisScope } from './map-redis.js';
import { resumePoint } from './map-resume.js';
import { MapRunner } from './map-runner.js';
import { MAP_MODES, type MapMode, openScope } from './map-scope.js';
import { loadMapTarget } from './map-target.js';
import { ProgressBar } from './progress-bar.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'weft map';
/** Calls at once in tasks mode by default: they share one thread, so more only helps calls that wait. */
const TASKS_WORKERS = 16;
const HINT = "Run 'weft map --help' to see its options.";
/** The task queue of redis mode when --queue names none. */
const DEFAULT_QUEUE = 'weft-map';

export const MAP_HELP = `Usage: weft map MODULE#EXPORT [FILE] [options]

Calls the function EXPORT of MODULE (a path or a URL; #EXPORT defaults to #default) on
every line of FILE (or stdin), each line one JSON value, and writes one JSON result a
line, in input order, to stdout (or --output FILE). Blank lines are passed over.
A line that fails (bad JSON, the call throws, a result with no JSON) is reported on
stderr as 'line N: ErrorName: message' and written as null; the exit code is then 1.

Options:
  --mode MODE       where the calls run: tasks (the main thread), threads, processes, or
                    redis (each line a task on a Redis queue, run by 'weft worker's and by
                    this command's own worker); default tasks; the others need a
                    portable() export
  --workers N       calls at once: tasks, threads or processes (default: ${TASKS_WORKERS} in
                    tasks mode, where calls wait together; the CPU count, ${availableParallelism()}, otherwise);
                    in redis mode the threads of this command's own worker (0: none)
  --redis URL       redis mode: the Redis (default WEFT_REDIS_URL, else redis://127.0.0.1:6379)
  --queue NAME      redis mode: the task queue (default ${DEFAULT_QUEUE}); workers elsewhere run
                    'weft worker --queue NAME --module MODULE'
  --unordered       write results as they finish, as {"line":N,"result":R} records
                    (a failed line writes no record)
  -o, --output FILE write to FILE instead of stdout
  --resume          with --output: keep what FILE holds and do only the lines missing
  --no-progress     no progress line on stderr (there is none when stderr is not a terminal)
  -h, --help        show this help

Ctrl-C stops starting lines, writes those under way and exits with 130; run again with
--resume to finish. Exit codes: 0 all lines done, 1 some failed, 2 usage error, 130 Ctrl-C.
See docs/cli.md.
`;

const MAP_FLAGS = {
  mode: { type: 'string' },
  workers: { type: 'string' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  unordered: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  resume: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `weft map` with `argv` (the arguments after `map`); resolves with the exit code. */
export async function mapCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(COMMAND, argv, MAP_FLAGS, HINT);
  if (values.help === true) {
    process.stdout.write(MAP_HELP);
    return 0;
  }
  const [spec, file, ...extra] = positionals;
  if (spec === undefined) {
    throw new UsageError(
      COMMAND,
      'which function?',
      `Write 'weft map MODULE#EXPORT [FILE]'. ${HINT}`,
    );
  }
  if (extra.length > 0) {
    throw new UsageError(
      COMMAND,
      `unexpected argument '${extra[0]}'`,
      `It reads one FILE (or stdin). ${HINT}`,
    );
  }
  const mode = parseMode(values.mode);
  if (mode !== 'redis' && (values.redis !== undefined || values.queue !== undefined)) {
    throw new UsageError(
      COMMAND,
      `--${values.redis !== undefined ? 'redis' : 'queue'} is for --mode redis only`,
      `Add --mode redis, or leave it out. ${HINT}`,
    );
  }
  const workers =
    typeof values.workers === 'string'
      ? wholeNumber(COMMAND, 'workers', values.workers, mode === 'redis' ? 0 : 1, 4)
      : mode === 'tasks'
        ? TASKS_WORKERS
        : availableParallelism();
  const ordered = values.unordered !== true;
  const output = typeof values.output === 'string' ? values.output : undefined;
  if (values.resume === true && output === undefined) {
    throw new UsageError(
      COMMAND,
      '--resume needs --output FILE',
      'Resume reads what the earlier run wrote to FILE: give the same --output FILE.',
    );
  }
  if (file !== undefined && !isFile(file)) {
    throw new UsageError(
      COMMAND,
      `cannot read ${file}: no such file`,
      'Give the input FILE, or leave it out to read stdin.',
    );
  }
  const target = await loadMapTarget(spec, mode !== 'tasks');
  const skip = values.resume === true ? await resumePoint(output!, ordered) : undefined;

  const stream: Readable = file === undefined ? process.stdin : createReadStream(file);
  const input = new LineInput(stream, skip);
  const out: LineOutput =
    output === undefined
      ? new StreamOutput(process.stdout)
      : new FileOutput(output, values.resume === true);
  const showProgress = values['no-progress'] !== true && process.stderr.isTTY === true;
  let runner: MapRunner | undefined;
  const progress = showProgress
    ? new ProgressBar(
        process.stderr,
        () => input.passed + (runner?.done ?? 0),
        () => runner?.done ?? 0,
      )
    : undefined;
  if (progress !== undefined && file !== undefined) {
    countLines(file).then(
      (total) => {
        progress.total = total;
      },
      () => {},
    );
  }
  const report =
    progress !== undefined
      ? (line: string) => progress.message(line)
      : (line: string) => process.stderr.write(`${line}\n`);
  const scope =
    mode === 'redis'
      ? await openRedisScope(target, ordered, {
          redis: typeof values.redis === 'string' ? values.redis : undefined,
          queue: typeof values.queue === 'string' ? values.queue : DEFAULT_QUEUE,
          workers,
        })
      : openScope(mode, workers, target, ordered);
  runner = new MapRunner({ input, output: out, scope, ordered, report, progress });

  const onSigint = () => {
    if (!runner.stopped) {
      runner.stop();
      report('weft map: stopping: finishing the lines under way (Ctrl-C again to quit now)');
      return;
    }
    // Only whole lines were handed to the output: what is written stays resumable.
    out.flush();
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    const { code } = await runner.run();
    return code;
  } finally {
    await scope.close();
    await out.close();
    process.off('SIGINT', onSigint);
  }
}

/** The value of `--mode`: one of the modes. */
function parseMode(text: string | boolean | undefined): MapMode {
  if (text === undefined) return 'tasks';
  const mode = MAP_MODES.find((known) => known === text);
  if (mode !== undefined) return mode;
  throw new UsageError(
    COMMAND,
    `--mode ${String(text)} is not a mode`,
    'Use --mode tasks, threads, processes or redis (default: tasks).',
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
