/**
 * Start-up cost: start + join of a thread or process running an empty target. weft's
 * Thread and Process, cold and warm (`warmStart()`, a spare booted ahead), against a bare
 * `Worker` and a bare `fork` of an empty module (the floors), and Python's
 * `threading.Thread` and `multiprocessing` start methods (fork, forkserver, spawn). Aims: weft
 * cold at most 1.25 times the bare floor, warm under 5 ms.
 *
 * The JavaScript rows run in a process of their own whose threads and children run plain
 * JavaScript from dist/ (`bench/plain.mjs`, `bench/startup-rows.ts`), as a program built
 * with tsc does; a last table gives weft's figures in this process, under tsx, where every
 * thread and child first loads tsx. Every start is checked: the target ran and returned
 * `true` (weft), the worker or child exited with 0 (bare), the same in Python.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  makeTable,
  measureLatency,
  pythonRow,
  type Row,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import {
  BARE_FORK,
  BARE_WORKER,
  PROCESS,
  PROCESS_IMPORTS_WEFT,
  PROCESS_WARM,
  THREAD,
  THREAD_IMPORTS_WEFT,
  THREAD_WARM,
  weftContenders,
} from './startup-rows.js';

const PYTHON_THREAD = 'Python threading.Thread';
const PYTHON_FORK = 'Python Process, fork';
const PYTHON_FORKSERVER = 'Python Process, forkserver';
const PYTHON_SPAWN = 'Python Process, spawn';
/** The aims: cold at most this many times the bare floor; warm under this many µs. */
const COLD_AT_MOST = 1.25;
const WARM_UNDER_MICROS = 5000;

/** The JavaScript rows, measured in a plain-JavaScript process of their own. */
function plainRows(settings: Settings): Row[] | string {
  const { log: _log, ...sizes } = settings;
  const child = spawnSync(
    process.execPath,
    [
      fileURLToPath(new URL('./plain.mjs', import.meta.url)),
      fileURLToPath(new URL('./startup-rows.ts', import.meta.url)),
      JSON.stringify(sizes),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.error) return `node failed: ${child.error.message}`;
  if (child.status !== 0) return `bench/startup-rows.ts exited ${child.status}`;
  return JSON.parse(child.stdout) as Row[];
}

function rowOf(rows: Row[] | string, name: string): Row {
  if (typeof rows === 'string') return { name, median: null, samples: [], note: rows };
  return (
    rows.find((row) => row.name === name) ?? {
      name,
      median: null,
      samples: [],
      note: 'not measured',
    }
  );
}

export async function startupSuites(settings: Settings): Promise<Table[]> {
  const calls = settings.startupCalls;
  settings.log(`start-up: Python (python3 subprocess, ${calls} starts per round)`);
  const python = runPython('startup.py', [calls, settings.rounds]);
  settings.log('start-up: plain JavaScript rows (bench/startup-rows.ts, a process of its own)');
  const plain = plainRows(settings);
  const tsxCalls = settings.startupTsxCalls;
  settings.log(`start-up: weft under tsx, in this process (${tsxCalls} start per round)`);
  const tsx = await measureLatency(
    [
      ...weftContenders('thread', { cold: `${THREAD}, tsx`, warm: `${THREAD_WARM}, tsx` }),
      ...weftContenders('process', { cold: `${PROCESS}, tsx`, warm: `${PROCESS_WARM}, tsx` }),
    ],
    tsxCalls,
    settings,
  );
  // A cold contender's prepare stops the warm start its warm twin left on.
  const method =
    `start + join of an empty target, ${calls} one after the other per round; each round keeps ` +
    'the median of its starts, the figure is the median of the rounds (lower is better). weft: ' +
    '`new Thread({ module, name: "ready" })` (or `Process`), `start()`, `await join()`, checks ' +
    'that `result` is `true`; its target module (bench/peers/empty-target.mjs) only defines the ' +
    'function. The floors run the same module as their whole program and check exit code 0.';
  const warm =
    'warm: `warmStart({ threads: 1 })` (or `processes: 1`) keeps a spare booted; before each ' +
    'timed start `await warm.ready()` (untimed) waits until the replacement of the spare taken ' +
    'by the previous start has booted. Cold rows run with no spare kept.';
  const importsWeft =
    '"target module imports weft": the target is a portable function in a module that imports ' +
    "weft's index (bench/peers/empty-portable.mjs), as most programs write it: the child loads " +
    "the whole library with it. weft's own entries load only what the target and its handles need.";
  const plainNote =
    'JavaScript rows: a Node process of their own running plain JavaScript from dist/ (tsx ' +
    'registered through its API, bench/plain.mjs, so no thread or child loads it).';
  const pythonNote =
    'Python (bench/python/startup.py): `threading.Thread(target=...)` and ' +
    '`multiprocessing.get_context(method).Process(target=empty)`, start() and join(), its own ' +
    'rotated rounds; the warm-up round starts the forkserver.';
  /** A cold-and-warm table of `kind`: weft's three rows, the floor, then Python's. */
  const kindTable = (
    kind: 'threads' | 'processes',
    weft: [cold: string, warm: string, importsWeft: string],
    floor: string,
    pythonRows: Row[],
    extraNotes: string[],
  ): Table =>
    makeTable({
      title: `Start-up, ${kind}: start + join of an empty target (${calls} per round)`,
      unit: 'median time',
      ops: calls,
      references: [floor, ...(kind === 'processes' ? [PYTHON_FORKSERVER] : [])],
      rows: [...weft.map((name) => rowOf(plain, name)), rowOf(plain, floor), ...pythonRows],
      targets: [],
      latency: true,
      limits: [
        { subject: weft[0], reference: floor, atMost: COLD_AT_MOST },
        { subject: weft[1], atMost: WARM_UNDER_MICROS },
      ],
      notes: [method, warm, importsWeft, ...extraNotes, plainNote, pythonNote],
    });
  return [
    kindTable(
      'threads',
      [THREAD, THREAD_WARM, THREAD_IMPORTS_WEFT],
      BARE_WORKER,
      [pythonRow(PYTHON_THREAD, python, 'thread')],
      [],
    ),
    kindTable(
      'processes',
      [PROCESS, PROCESS_WARM, PROCESS_IMPORTS_WEFT],
      BARE_FORK,
      [
        pythonRow(PYTHON_FORK, python, 'fork'),
        pythonRow(PYTHON_FORKSERVER, python, 'forkserver'),
        pythonRow(PYTHON_SPAWN, python, 'spawn'),
      ],
      [
        'bare fork: `child_process.fork(module, [], { serialization: "advanced" })`, as weft forks.',
      ],
    ),
    makeTable({
      title: `Start-up under tsx: weft in a program run with \`node --import tsx\` (${tsxCalls} per round)`,
      unit: 'median time',
      ops: tsxCalls,
      references: [],
      rows: tsx,
      targets: [],
      latency: true,
      notes: [
        'the benchmark process itself runs under tsx, so every thread and child weft starts ' +
          'first registers tsx (bench/peers/empty-target.mjs is the target, as above); a warm ' +
          'spare has done so before its target arrives.',
        warm,
      ],
    }),
  ];
}
