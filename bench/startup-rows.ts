/**
 * The JavaScript rows of the start-up benchmark, for `bench/startup.ts`: start + join of an
 * empty target, weft's Thread and Process (cold, warm, and with a target module that
 * imports weft) against a bare `Worker` and a bare `fork` of the empty module. Run through
 * `bench/plain.mjs`, so every thread and child runs plain JavaScript from dist/. Prints the
 * rows as JSON on stdout.
 *
 *   node bench/plain.mjs bench/startup-rows.ts '<settings JSON>'
 * @module
 */
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { Process, Thread, type WarmStart, warmStart } from 'weft';
import { type LatencyContender, measureLatency, type Settings } from './harness.js';

export const BARE_WORKER = 'bare Worker (floor)';
export const BARE_FORK = 'bare fork (floor)';
export const THREAD = 'weft Thread';
export const THREAD_WARM = 'weft Thread, warm';
export const THREAD_IMPORTS_WEFT = 'weft Thread, target module imports weft';
export const PROCESS = 'weft Process';
export const PROCESS_WARM = 'weft Process, warm';
export const PROCESS_IMPORTS_WEFT = 'weft Process, target module imports weft';

const EMPTY = new URL('./peers/empty-target.mjs', import.meta.url);
const EMPTY_TARGET = { module: EMPTY.href, name: 'ready' };
/** The same target in a module that imports weft, as a portable function. */
const PORTABLE_TARGET = {
  module: new URL('./peers/empty-portable.mjs', import.meta.url).href,
  name: 'ready',
};

/** Resolves when `emitter` exits with 0; rejects on an error or another exit code. */
function exitsCleanly(emitter: Worker | ReturnType<typeof fork>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    emitter.once('error', reject);
    emitter.once('exit', (code: number | null) =>
      code === 0 ? resolve() : reject(new Error(`${what} exited with ${code}`)),
    );
  });
}

/** Starts `runner`, joins it, and checks that its target ran and returned `true`. */
async function startAndJoin(runner: Thread | Process): Promise<void> {
  runner.start();
  await runner.join();
  if (runner.exitCode !== 0 || runner.result !== true) {
    throw new Error(`${runner}: exit code ${runner.exitCode}, result ${runner.result}`, {
      cause: runner.exception,
    });
  }
}

/**
 * The start-up contenders of weft: cold (no spare kept; `prepare` stops the warm start a
 * warm contender left), warm (`prepare` waits until the spare has booted, untimed).
 */
export function weftContenders(
  kind: 'thread' | 'process',
  names: { cold: string; warm: string },
  target: { module: string; name: string } = EMPTY_TARGET,
): LatencyContender[] {
  const make = () => (kind === 'thread' ? new Thread(target) : new Process(target));
  let warm: WarmStart | undefined;
  const cold = async (): Promise<void> => {
    await warm?.stop();
    warm = undefined;
  };
  return [
    { name: names.cold, prepare: cold, call: () => startAndJoin(make()) },
    {
      name: names.warm,
      prepare: () => {
        warm ??= warmStart(kind === 'thread' ? { threads: 1 } : { processes: 1 });
        return warm.ready();
      },
      call: () => startAndJoin(make()),
    },
  ];
}

async function main(): Promise<void> {
  const sizes = JSON.parse(process.argv[2] ?? '{}') as Omit<Settings, 'log'>;
  const settings: Settings = { ...sizes, log: (line) => process.stderr.write(`  ${line}\n`) };
  const threads = weftContenders('thread', { cold: THREAD, warm: THREAD_WARM });
  const processes = weftContenders('process', { cold: PROCESS, warm: PROCESS_WARM });
  const contenders: LatencyContender[] = [
    {
      name: BARE_WORKER,
      call: () => exitsCleanly(new Worker(EMPTY), 'a bare Worker'),
    },
    ...threads,
    {
      name: THREAD_IMPORTS_WEFT,
      prepare: threads[0]!.prepare,
      call: () => startAndJoin(new Thread(PORTABLE_TARGET)),
    },
    {
      name: BARE_FORK,
      call: () => exitsCleanly(fork(EMPTY, [], { serialization: 'advanced' }), 'a bare fork'),
    },
    ...processes,
    {
      name: PROCESS_IMPORTS_WEFT,
      prepare: processes[0]!.prepare,
      call: () => startAndJoin(new Process(PORTABLE_TARGET)),
    },
  ];
  settings.log(
    `start-up: ${settings.startupCalls} starts per contender per round, plain JavaScript`,
  );
  const rows = await measureLatency(contenders, settings.startupCalls, settings);
  // Stop any warm start still on (the prepare of a cold contender does).
  await threads[0]!.prepare!();
  await processes[0]!.prepare!();
  process.stdout.write(JSON.stringify(rows));
}

// Measures only when run through bench/plain.mjs; bench/startup.ts imports the contenders.
if (process.argv[1]?.endsWith('plain.mjs')) await main();
