// Python's threading.Thread, with real parallelism: each Thread is a worker thread running an
// exported function of a module. A thread imports its target's module, so the code that starts
// threads sits under `if (isMainModule(import.meta))` — the `if __name__ == '__main__':` of
// this world.
import { currentThread, enumerate, isMainModule, portable, Thread } from 'weft';

/** CPU-bound work: it runs in parallel with the main thread and the other threads. */
export const countPrimes = portable(import.meta.url, function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
});

export const greet = portable(
  import.meta.url,
  async function greet(greeting: string): Promise<string> {
    return `${greeting} from ${currentThread().name}`;
  },
);

export const waitForever = portable(import.meta.url, function waitForever(): Promise<never> {
  return new Promise<never>(() => {});
});

class DiskFull extends Error {
  override name = 'DiskFull';
  constructor(readonly bytes: number) {
    super('no space left on device');
  }
}

export const save = portable(import.meta.url, function save(bytes: number): never {
  throw new DiskFull(bytes);
});

if (isMainModule(import.meta)) {
  // Start, join, read the result.
  const counters = [10_000, 100_000].map(
    (limit) => new Thread(countPrimes, { args: [limit], name: `primes<${limit}` }),
  );
  for (const thread of counters) thread.start();
  console.log(
    `alive: ${enumerate()
      .map((thread) => thread.name)
      .join(', ')}`,
  );
  for (const thread of counters) {
    await thread.join();
    console.log(`${thread.name}: ${thread.result}`);
  }

  // A thread knows its own name; default names are Thread-N (target).
  const greeter = new Thread(greet, { args: ['hello'] });
  greeter.start();
  await greeter.join();
  console.log(greeter.result);

  // join with a timeout returns false while the thread still runs; terminate() stops it.
  const stuck = new Thread(waitForever, { name: 'stuck', daemon: true });
  stuck.start();
  console.log(`joined in 20 ms: ${await stuck.join({ timeout: 20 })}, alive: ${stuck.isAlive()}`);
  await stuck.terminate();
  console.log(`after terminate: alive ${stuck.isAlive()}, exit code ${stuck.exitCode}`);

  // What the target throws comes back with its class name, message and fields.
  const saver = new Thread(save, { args: [4096] });
  saver.start();
  await saver.join();
  const error = saver.exception as DiskFull;
  console.log(`${saver.name} failed: ${error.name}: ${error.message} (${error.bytes} bytes)`);

  // Starting a thread twice is an error, as in Python.
  try {
    saver.start();
  } catch (err) {
    console.log(`start again: ${(err as Error).name}`);
  }
}
