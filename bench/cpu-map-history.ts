/**
 * The CPU-bound map after a history of small tasks: a pool's prefetch depth adapts to the
 * tasks it ran before, so a burst of long tasks that follows small ones must still be shared
 * evenly across the workers. Each round builds a fresh executor, waits until its workers are
 * up, runs a history of small tasks on it (all untimed), then times a burst of `BURST_ITEMS`
 * fib(n) through `map`, on 1 worker and on 2. Aim: 2 workers at least 1.85x one, after each
 * history. (The case of a worker still starting when the burst comes is the executor
 * contract's, test/contracts/executor-contract-balance.ts: its start-up would be in the time.)
 * @module
 */
import { ThreadPoolExecutor } from 'weft';
import { type Contender, makeTable, measure, type Settings, type Table } from './harness.js';
import { fib, fibWhere, increment, whichThread } from './thread-task.js';

/** The burst: 16 tasks of about 20 ms each (fib(32) on the reference machines). */
const BURST_ITEMS = 16;
const BURST_FIB_N = 32;
/** The small task of the histories. */
const SMALL_FIB_N = 20;

interface History {
  name: string;
  /** Whether every worker is up before the history (start-up then stays out of the time). */
  warm: boolean;
  run(executor: ThreadPoolExecutor, workers: number): Promise<unknown>;
}

async function fewSmallTasks(executor: ThreadPoolExecutor, workers: number): Promise<void> {
  await executor.submit(fib, SMALL_FIB_N);
  await Promise.all(Array.from({ length: workers }, () => executor.submit(fib, SMALL_FIB_N)));
}

const HISTORIES: History[] = [
  { name: 'one fib(20), then one per worker', warm: true, run: fewSmallTasks },
  {
    name: 'a thousand trivial tasks',
    warm: true,
    run: (executor) =>
      Promise.all(Array.from({ length: 1000 }, (_, i) => executor.submit(increment, i))),
  },
  // The second worker may still be starting when the burst comes: no aim, for the split.
  { name: 'one fib(20), then one per worker, on a new pool', warm: false, run: fewSmallTasks },
];

/**
 * Waits until each of the executor's `workers` has answered, by trivial tasks submitted one
 * per worker at a time: start-up is then out of the timed burst, and the only tasks the pool
 * has timed are small ones.
 */
async function allWorkersUp(executor: ThreadPoolExecutor, workers: number): Promise<void> {
  const seen = new Set<number>();
  while (seen.size < workers) {
    const round = Array.from({ length: workers }, () => executor.submit(whichThread));
    for (const id of await Promise.all(round)) seen.add(id);
  }
}

const rowName = (workers: number, history: History) =>
  `${workers} worker${workers === 1 ? '' : 's'}, after ${history.name}`;

/**
 * A contender that times the burst on a fresh executor of `workers` after `history`; `splits`
 * gets how each burst was shared, as tasks per worker (`8/8`).
 */
function burstAfter(
  history: History,
  workers: number,
  expected: number,
): Contender & { close(): Promise<void>; splits: string[] } {
  let executor: ThreadPoolExecutor | null = null;
  const splits: string[] = [];
  const items = new Array<number>(BURST_ITEMS).fill(BURST_FIB_N);
  const close = async () => {
    await executor?.shutdown();
    executor = null;
  };
  return {
    name: rowName(workers, history),
    async prepare() {
      await close();
      executor = new ThreadPoolExecutor({ maxWorkers: workers });
      if (history.warm) await allWorkersUp(executor, workers);
      await history.run(executor, workers);
    },
    async run() {
      const perThread = new Map<number, number>();
      let count = 0;
      for await (const [value, thread] of executor!.map(fibWhere, items)) {
        if (value !== expected) throw new Error(`fib returned ${value}, not ${expected}`);
        perThread.set(thread, (perThread.get(thread) ?? 0) + 1);
        count++;
      }
      if (count !== BURST_ITEMS) throw new Error(`map gave ${count} of ${BURST_ITEMS} results`);
      splits.push([...perThread.values()].sort((a, b) => b - a).join('/'));
    },
    close,
    splits,
  };
}

/**
 * The table of the CPU-bound burst after each history, 1 worker against 2.
 *
 * @example
 * ```ts
 * const table = await cpuMapHistoryTable(settings); // as thread-pool.ts does
 * ```
 */
export async function cpuMapHistoryTable(settings: Settings): Promise<Table> {
  const started = performance.now();
  const expected = fib(BURST_FIB_N);
  const burstMs = performance.now() - started;
  const contenders = HISTORIES.flatMap((history) =>
    [1, 2].map((workers) => burstAfter(history, workers, expected)),
  );
  settings.log(
    `CPU-bound map after small tasks: fib(${BURST_FIB_N}) x ${BURST_ITEMS}, fresh executors`,
  );
  try {
    const rows = await measure(contenders, BURST_ITEMS, settings);
    return makeTable({
      title: `CPU-bound map after small tasks: fib(${BURST_FIB_N}) over ${BURST_ITEMS} items`,
      unit: 'tasks/s',
      ops: BURST_ITEMS,
      references: HISTORIES.map((history) => rowName(1, history)),
      rows,
      targets: HISTORIES.filter((history) => history.warm).map((history) => ({
        subject: rowName(2, history),
        reference: rowName(1, history),
        atLeast: 1.85,
      })),
      comparisons: HISTORIES.filter((history) => !history.warm).map((history) => ({
        subject: rowName(2, history),
        reference: rowName(1, history),
      })),
      notes: [
        `one fib(${BURST_FIB_N}) took ${burstMs.toFixed(0)} ms in the main thread (cold).`,
        'each run: a new ThreadPoolExecutor of maxWorkers 1 or 2, trivial tasks until every ' +
          'worker has answered one (start-up stays out of the time; not "on a new pool", where ' +
          'the second worker may still be starting when the burst comes, so no aim), then the history (one ' +
          `fib(${SMALL_FIB_N}) awaited, then one per worker submitted together and awaited; ` +
          'or 1,000 `x + 1` tasks submitted together and awaited), untimed; then, timed, ' +
          `\`for await\` over \`executor.map(fibWhere, items)\` with ${BURST_ITEMS} items ` +
          '(fibWhere returns fib(n) and the thread that computed it).',
        ...contenders
          .filter((contender) => contender.name.startsWith('2 '))
          .map(
            (contender) =>
              `tasks per worker in each burst (warm-up first), ${contender.name}: ${contender.splits.join(', ')}`,
          ),
      ],
    });
  } finally {
    await Promise.all(contenders.map((contender) => contender.close()));
  }
}
