// Producer/consumer across processes: one producer process puts jobs on a Queue, two consumer
// processes take them and call taskDone() for each, and the main program waits with
// queue.join() until every job is done. Results come back on a second queue. The queues live
// here, in the main process; each child gets a handle on them.
import { type HandleOf, isMainModule, Process, portable, Queue } from 'weft';

/** Puts the numbers 1..count on the queue. */
export const producer = portable(
  import.meta.url,
  async function producer(jobs: HandleOf<Queue<number>>, count: number): Promise<void> {
    for (let n = 1; n <= count; n++) await jobs.put(n);
  },
);

/** Squares each job until the queue is shut down; returns how many it handled. */
export const consumer = portable(
  import.meta.url,
  async function consumer(
    jobs: HandleOf<Queue<number>>,
    results: HandleOf<Queue<[number, number]>>,
  ): Promise<number> {
    let handled = 0;
    for await (const n of jobs) {
      await results.put([n, n * n]);
      handled++;
      await jobs.taskDone();
    }
    return handled;
  },
);

if (isMainModule(import.meta)) {
  const jobs = new Queue<number>(4);
  const results = new Queue<[number, number]>();
  const prod = new Process(producer, { args: [jobs, 20], name: 'producer' });
  const consumers = [1, 2].map(
    (n) => new Process(consumer, { args: [jobs, results], name: `consumer ${n}` }),
  );
  prod.start();
  for (const c of consumers) c.start();

  // join() returns once every job put has had its taskDone(); the producer must be done first,
  // or join() could see an empty queue before the producer's first put.
  await prod.join();
  await jobs.join();
  console.log(`all jobs done; results waiting: ${results.qsize()}`);

  jobs.shutdown(); // ends the consumers' loops
  for (const c of consumers) await c.join();
  const handled = consumers.reduce((sum, c) => sum + (c.result ?? 0), 0);
  console.log(`handled by the two consumers together: ${handled}`);

  // Results arrive in completion order: sort them by job.
  const squares: [number, number][] = [];
  while (!results.empty()) squares.push(results.getNowait());
  squares.sort((a, b) => a[0] - b[0]);
  console.log(`squares: ${squares.map(([, sq]) => sq).join(' ')}`);
}
