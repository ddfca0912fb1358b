// The TCP server fuzz run at soak scale: `node --import tsx scripts/net-fuzz-soak.ts [seed]
// [rounds] [flood]`. The same seed replays the same sequence of bad clients.
import { fuzz } from '../test/support/net-fuzz.js';

const [seedArg, roundsArg, floodArg] = process.argv.slice(2);
const seed = seedArg === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(seedArg);
const rounds = Number(roundsArg ?? 30);
const flood = Number(floodArg ?? 4000);
console.log(`net fuzz soak: seed ${seed}, ${rounds} rounds, a flood of ${flood}`);
const started = performance.now();
const result = await fuzz({ seed, rounds, goodClients: 16, flood });
console.log(
  `${result.echoes} good echoes, reports ${JSON.stringify(result.reports)}, ` +
    `heap growth ${(result.heapGrowth / 2 ** 20).toFixed(1)} MiB, most buffered ${result.mostBuffered} B, ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (result.problems.length > 0) {
  console.error(`problems (replay with seed ${seed}):\n${result.problems.join('\n')}`);
  process.exitCode = 1;
}
