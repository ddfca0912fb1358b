/**
 * Measures the peers of one suite in a fresh Node process that never starts a weft task,
 * so they do not pay for the AsyncLocalStorage promise hook weft's first task turns on
 * (see `runFresh` in harness.ts). Prints the rows as JSON on stdout.
 *
 *   node --import tsx bench/fresh.ts <task-pool|spawn|lock-in-tasks> '<settings JSON>'
 * @module
 */
import { type Contender, measure, type Settings } from './harness.js';
import { contendedInTasks } from './lock.js';
import { POOL_SIZE, poolPeers } from './peers/pool-peers.js';
import { promiseAllFloor } from './peers/promise-all.js';

const [suite, sizesJson] = process.argv.slice(2);
const sizes = JSON.parse(sizesJson ?? '{}') as Omit<Settings, 'log'>;
const settings: Settings = { ...sizes, log: (line) => process.stderr.write(`  ${line}\n`) };

let contenders: Contender[];
let ops: number;
if (suite === 'task-pool') {
  contenders = poolPeers(POOL_SIZE, settings.poolTasks, settings.poolBatches);
  ops = settings.poolTasks * settings.poolBatches;
} else if (suite === 'spawn') {
  contenders = [promiseAllFloor(settings.spawnTasks, settings.spawnBatches)];
  ops = settings.spawnTasks * settings.spawnBatches;
} else if (suite === 'lock-in-tasks') {
  contenders = contendedInTasks(settings.lockOps, settings.lockTasks);
  ops = settings.lockOps;
} else {
  process.stderr.write(
    `bench/fresh.ts: unknown suite ${JSON.stringify(suite)}; use task-pool, spawn or lock-in-tasks\n`,
  );
  process.exit(2);
}
const rows = await measure(contenders, ops, settings);
process.stdout.write(JSON.stringify(rows));
