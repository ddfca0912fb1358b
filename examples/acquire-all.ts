// Dining philosophers: acquireAll takes both forks in one global order, so nobody deadlocks.
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { acquireAll, Lock, spawn } from 'weft';

const forks = Array.from({ length: 5 }, () => new Lock());
const meals = [0, 0, 0, 0, 0];

async function philosopher(seat: number): Promise<void> {
  const left = forks[seat]!;
  const right = forks[(seat + 1) % forks.length]!;
  for (let i = 0; i < 3; i++) {
    // Taking left then right by hand would deadlock once everyone holds a left fork.
    using _forks = await acquireAll(left, right);
    meals[seat]!++;
    await yieldToOthers();
  }
}

await Promise.all(forks.map((_, seat) => spawn(philosopher, seat)));
console.log(`meals eaten: ${meals.join(' ')}`);

// A task that holds a lock through acquireAll may not ask for one that sorts before it.
await spawn(async () => {
  using _fork3 = await acquireAll(forks[3]!);
  await acquireAll(forks[1]!).catch((err: Error) =>
    console.log(`fork 1 after fork 3: ${err.name}`),
  );
});
