// A Condition lets consumers sleep until a producer changes shared state under the lock.
import { setTimeout as sleep } from 'node:timers/promises';
import { Condition, spawn } from 'weft';

const cond = new Condition();
const items: number[] = [];

async function consumer(name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    using _held = await cond.guard();
    await cond.waitFor(() => items.length > 0); // releases the lock while it waits
    console.log(`${name} took ${items.shift()}`);
  }
}

async function producer(count: number): Promise<void> {
  for (let item = 1; item <= count; item++) {
    await sleep(2);
    using _held = await cond.guard();
    items.push(item);
    cond.notify(); // wakes the consumer that has waited longest
  }
}

await Promise.all([spawn(consumer, 'A', 2), spawn(consumer, 'B', 2), spawn(producer, 4)]);

await spawn(async () => {
  using _held = await cond.guard();
  const found = await cond.waitFor(() => items.length > 0, { timeout: 10 });
  console.log(`waitFor with nothing to take, 10 ms timeout: ${found}`);
});
