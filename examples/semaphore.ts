// A Semaphore bounds concurrency: ten downloads, at most three at a time.
import { setTimeout as sleep } from 'node:timers/promises';
import { BoundedSemaphore, Semaphore, spawn } from 'weft';

const slots = new Semaphore(3);
let running = 0;
let maxRunning = 0;

async function download(id: number): Promise<string> {
  using _slot = await slots.guard();
  running++;
  maxRunning = Math.max(maxRunning, running);
  await sleep(5);
  running--;
  return `file-${id}`;
}

const files = await Promise.all(Array.from({ length: 10 }, (_, i) => spawn(download, i + 1)));
console.log(`downloaded ${files.length} files: ${files[0]} .. ${files.at(-1)}`);
console.log(`most downloads at once: ${maxRunning}`);
console.log(`free slots afterwards: ${slots.value}`);

// A BoundedSemaphore catches a release without a matching acquire.
const bounded = new BoundedSemaphore(1);
try {
  bounded.release();
} catch (err) {
  console.log(`over-release: ${(err as Error).name}`);
}
