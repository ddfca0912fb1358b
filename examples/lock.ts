// A Lock makes a read-modify-write atomic: three tasks each add 5 to a shared counter.
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { Lock, spawn } from 'weft';

const lock = new Lock();
let counter = 0;

async function addFive(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    using _held = await lock.guard(); // released at the end of the block
    const seen = counter;
    await yieldToOthers(); // without the lock, another task would read the same value here
    counter = seen + 1;
  }
}

await Promise.all([spawn(addFive), spawn(addFive), spawn(addFive)]);
console.log(`counter: ${counter}`);
console.log(`locked afterwards: ${lock.locked()}`);

// acquire() resolves false when the timeout runs out first.
await lock.acquire();
console.log(`second acquire within 10 ms: ${await lock.acquire({ timeout: 10 })}`);
lock.release();
console.log(`locked after release: ${lock.locked()}`);
