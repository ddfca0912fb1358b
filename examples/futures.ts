// concurrent.futures' as_completed and wait over a ThreadPoolExecutor. Tasks are exported,
// portable functions: each worker imports this module to find them, so the program itself
// sits under `if (isMainModule(import.meta))` (Python's `if __name__ == '__main__':`).
import { asCompleted, type Future, isMainModule, portable, ThreadPoolExecutor, wait } from 'weft';

export const fib = portable(import.meta.url, function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
});

export const pause = portable(import.meta.url, async (ms: number): Promise<number> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
});

if (isMainModule(import.meta)) {
  await using executor = new ThreadPoolExecutor({ maxWorkers: 2 });

  // asCompleted: each future as soon as it is done (the order depends on the workers).
  const futures = [27, 10, 20].map((n) => executor.submit(fib, n));
  const values: number[] = [];
  for await (const future of asCompleted(futures, { timeout: 10_000 })) {
    values.push(await future.result());
  }
  console.log(
    `asCompleted: ${values.length} futures, values ${values.sort((a, b) => a - b).join(' ')}`,
  );

  // wait: returns the done and the not-done futures once returnWhen holds.
  const quick = executor.submit(fib, 20);
  const controller = new AbortController();
  const slow = executor.submitWith({ signal: controller.signal }, pause, 60_000);
  const names = new Map<Future<number>, string>([
    [quick, 'quick'],
    [slow, 'slow'],
  ]);
  const list = (set: Set<Future<number>>) => [...set].map((f) => names.get(f)).join(', ');
  const first = await wait([quick, slow], { returnWhen: 'FIRST_COMPLETED' });
  console.log(`FIRST_COMPLETED: done [${list(first.done)}], not done [${list(first.notDone)}]`);

  // A timeout never throws: what is not done yet comes back in notDone.
  const later = await wait([slow], { timeout: 50 });
  console.log(`after 50 ms: ${later.done.size} done, ${later.notDone.size} not done`);

  // submitWith's signal stops the running task; its future rejects with the reason.
  controller.abort(new Error('no longer needed'));
  console.log(`slow: ${((await slow.exception()) as Error).message}`);
}
