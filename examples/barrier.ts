// A Barrier holds each task until all of them have arrived, then lets them go together.
import { setTimeout as sleep } from 'node:timers/promises';
import { Barrier, spawn } from 'weft';

const barrier = new Barrier(3, { action: () => console.log('-- all three ready --') });

async function runner(name: string, setupMs: number): Promise<void> {
  await sleep(setupMs);
  console.log(`${name} ready`);
  const arrival = await barrier.wait();
  if (arrival === barrier.parties - 1) console.log(`${name} arrived last`);
}

await Promise.all([spawn(runner, 'bob', 1), spawn(runner, 'cy', 10), spawn(runner, 'ann', 20)]);
console.log(`waiting now: ${barrier.nWaiting}, broken: ${barrier.broken}`);

// A wait that times out breaks the barrier for everyone until reset().
const pair = new Barrier(2);
await pair.wait({ timeout: 10 }).catch((err: Error) => console.log(`lonely wait: ${err.name}`));
console.log(`broken: ${pair.broken}`);
pair.reset();
console.log(`after reset: ${pair.broken}`);
