// The dashboard of this program: serveDashboard without `redis` serves a live page of the
// queues and pools made after it. Here the program reads its own /snapshot (the JSON the
// page is drawn from) while tasks of a pool work through a queue; open dashboard.url in a
// browser to watch the same live.
import { Event, Queue, serveDashboard, TaskPool } from 'weft';

await using dashboard = await serveDashboard({ port: 0 });
const jobs = new Queue<string>(10);
const workers = new TaskPool(2);
const go = new Event();

/** One row of the page (the fields used here). */
interface Row {
  name: string;
  waiting: number;
  inFlight: number;
}

/** The figures the page shows now, as text. */
async function show(when: string): Promise<void> {
  const response = await fetch(new URL('snapshot', dashboard.url));
  const snapshot = (await response.json()) as { queues: Row[]; executors: Row[] };
  for (const q of snapshot.queues) {
    console.log(`${when}: ${q.name}: ${q.waiting} waiting, ${q.inFlight} in flight`);
  }
  for (const pool of snapshot.executors) {
    console.log(`${when}: ${pool.name}: ${pool.waiting} waiting, ${pool.inFlight} running`);
  }
}

for (const job of ['a', 'b', 'c', 'd']) await jobs.put(job);
await show('filled');
const handled = [1, 2, 3].map(() =>
  workers.spawn(async () => {
    const job = await jobs.get(); // got and not yet marked done: in flight
    await go.wait();
    jobs.taskDone();
    return job.toUpperCase();
  }),
);
await show('working');
go.set();
console.log(`handled: ${(await Promise.all(handled)).join(' ')}`);
await show('done');
