// An Event lets any number of tasks wait until something has happened.
import { setTimeout as sleep } from 'node:timers/promises';
import { Event, spawn } from 'weft';

const ready = new Event();

async function worker(name: string): Promise<void> {
  await ready.wait();
  console.log(`worker ${name} starts`);
}

const workers = ['a', 'b', 'c'].map((name) => spawn(worker, name));
await sleep(5);
console.log(`event set: ${ready.isSet()}; setting it`);
ready.set(); // wakes every waiter
await Promise.all(workers);

ready.clear();
console.log(`wait on a cleared event, 10 ms timeout: ${await ready.wait({ timeout: 10 })}`);
