// Producer/consumer: taskDone()/join() tells the producer when all work is done,
// shutdown() ends the workers' loops.
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, spawn } from 'weft';

const jobs = new Queue<string>(2); // bounded: put() waits while two jobs are queued
const done: string[] = [];

async function worker(): Promise<void> {
  for await (const job of jobs) {
    await sleep(1);
    done.push(job.toUpperCase());
    jobs.taskDone();
  }
}

const workers = [spawn(worker), spawn(worker)];
for (const job of ['a', 'b', 'c', 'd', 'e']) await jobs.put(job);
await jobs.join();
console.log(`all jobs done: ${done.sort().join(' ')}`);

jobs.shutdown();
await Promise.all(workers);
console.log('both workers stopped');
await jobs.put('late').catch((err: Error) => console.log(`put after shutdown: ${err.name}`));
