// Python's concurrent.futures.ThreadPoolExecutor on worker threads: real parallelism for
// CPU-bound work. Tasks are exported, portable functions: each worker imports this module to
// find them. So, like Python's `if __name__ == '__main__':`, the program itself runs only
// where it was started, under `isMainModule(import.meta)`.
import {
  type CrashError,
  isMainModule,
  portable,
  ThreadPoolExecutor,
  WorkerCrashedError,
} from 'weft';

export const fib = portable(import.meta.url, function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
});

export const crash = portable(import.meta.url, (code: number): never => process.exit(code));

if (isMainModule(import.meta)) {
  await using executor = new ThreadPoolExecutor({ maxWorkers: 2 });

  // submit() returns a Future at once; awaiting it gives the value.
  const future = executor.submit(fib, 25);
  console.log(`fib(25) = ${await future}`);

  // map() yields the results in input order, pulling the input as it goes.
  const values: number[] = [];
  for await (const value of executor.map(fib, [30, 10, 20, 5])) values.push(value);
  console.log(`map: ${values.join(' ')}`);

  // A task that kills its worker fails alone; the pool replaces the worker.
  const outcomes = await Promise.allSettled([
    executor.submit(fib, 10),
    executor.submit(crash, 3),
    executor.submit(fib, 11),
  ]);
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') console.log(`ok: ${outcome.value}`);
    else if (outcome.reason instanceof WorkerCrashedError) {
      console.log(`crashed: exit code ${(outcome.reason as CrashError).exitCode}`);
    }
  }

  // A per-task timeout counts from the task's start; its worker is stopped and replaced.
  await executor
    .submitWith({ timeout: 50 }, fib, 50)
    .result()
    .catch((error: Error) => console.log(`fib(50): ${error.name}`));
  console.log(`still working: fib(20) = ${await executor.submit(fib, 20)}`);
}
