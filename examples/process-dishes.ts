// The dish pipeline of Python's multiprocessing.JoinableQueue, with processes: washers put
// washed dishes on a queue, dryers take them off and call taskDone() for each. The main
// program waits with queue.join() until every dish is dried, then shuts the queue down, which
// ends the dryers' `for await` loops. The queue lives here, in the main process; each child
// gets a handle on it. Children import this module to find their function, so the main
// program sits under `if (isMainModule(import.meta))` (Python's `if __name__ == '__main__'`).
import { type HandleOf, isMainModule, Process, portable, Queue } from 'weft';

/** Washes its share of the dishes and puts each on the queue; returns how many it washed. */
export const washer = portable(
  import.meta.url,
  async function washer(dishes: string[], queue: HandleOf<Queue<string>>): Promise<number> {
    for (const dish of dishes) await queue.put(dish);
    return dishes.length;
  },
);

/** Dries dishes until the queue is shut down; returns the dishes it dried. */
export const dryer = portable(
  import.meta.url,
  async function dryer(queue: HandleOf<Queue<string>>): Promise<string[]> {
    const dried: string[] = [];
    for await (const dish of queue) {
      dried.push(dish);
      await queue.taskDone(); // one taskDone() per get: join() counts them
    }
    return dried;
  },
);

if (isMainModule(import.meta)) {
  const queue = new Queue<string>(3); // bounded: a washer waits while three dishes are wet
  const washers = [
    new Process(washer, { args: [['salad', 'bread', 'entree', 'dessert'], queue], name: 'w1' }),
    new Process(washer, { args: [['cup', 'saucer', 'spoon', 'fork', 'knife'], queue], name: 'w2' }),
  ];
  const dryers = [1, 2, 3].map((n) => new Process(dryer, { args: [queue], name: `dryer ${n}` }));
  for (const p of [...washers, ...dryers]) p.start();

  // Every washer has put all its dishes once it ends; join() then waits for the last taskDone().
  for (const w of washers) await w.join();
  await queue.join();
  console.log(`washed: ${washers.map((w) => `${w.name} ${w.result}`).join(', ')}`);
  console.log(`left on the queue: ${queue.qsize()}`);

  // Shutting the queue down ends the dryers' loops; their results say what each dried.
  queue.shutdown();
  for (const d of dryers) await d.join();
  const dried = dryers.flatMap((d) => d.result ?? []);
  console.log(`dried: ${dried.length} dishes: ${dried.sort().join(', ')}`);
  console.log(`dryer exit codes: ${dryers.map((d) => d.exitCode).join(' ')}`);
}
