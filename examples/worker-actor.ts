// The Cookbook's Worker actor (recipe 12.10): submit a function, get back a result that can be
// waited for. In weft the result object is the promise ask() returns: an actor that calls
// each function it receives answers with its return value, or with the error it threw.
import { Actor } from 'weft';

type Job = () => unknown;

class Worker extends Actor<Job> {
  protected override handle(job: Job): unknown {
    return job();
  }

  submit<A extends unknown[], T>(fn: (...args: A) => T, ...args: A): Promise<Awaited<T>> {
    return this.ask(() => fn(...args)) as Promise<Awaited<T>>;
  }
}

const worker = new Worker().start();
const r = worker.submit(Math.pow, 2, 3);
console.log(`2 ** 3 = ${await r}`);

// Jobs queue up in the mailbox and run one at a time; each result answers its own job.
const results = [1, 2, 3].map((n) => worker.submit(async (x: number) => x * 10, n));
console.log(`results: ${(await Promise.all(results)).join(' ')}`);

// A function that throws fails only its own result; the worker carries on.
await worker
  .submit(JSON.parse, '{not json')
  .catch((err: Error) => console.log(`failed job: ${err.name}`));
console.log(`still working: ${await worker.submit((s: string) => s.length, 'four')}`);

// A result that takes too long: ask's timeout rejects with weft's TimeoutError.
const slow = worker.ask(() => new Promise((resolve) => setTimeout(resolve, 200)), { timeout: 20 });
await slow.catch((err: Error) => console.log(`slow job: ${err.name}`));

worker.close();
await worker.join();
console.log('worker stopped');
