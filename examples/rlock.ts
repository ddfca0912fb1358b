// An RLock may be taken again by the task that holds it; other tasks wait for the last release.
import { setTimeout as sleep } from 'node:timers/promises';
import { RLock, spawn } from 'weft';

const rlock = new RLock();

async function countdown(label: string, n: number): Promise<void> {
  using _held = await rlock.guard(); // the holding task takes it again at once
  console.log(`${label}: ${n}`);
  if (n > 1) {
    await sleep(1); // the other task is waiting meanwhile, and does not get in
    await countdown(label, n - 1);
  }
}

await Promise.all([spawn(countdown, 'first', 3), spawn(countdown, 'second', 2)]);

// Ownership belongs to a task, so an RLock refuses code that runs outside any task.
await rlock.acquire().catch((err: Error) => console.log(`outside a task: ${err.name}`));
