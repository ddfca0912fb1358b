// What the ThreadPoolExecutor test files share: executors and shared-memory gates that are
// cleaned up after the file whatever happens (every gate opened, every executor shut down
// with its queued work cancelled), and a poll for conditions other threads make true.
import { after } from 'node:test';
import { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from '../../src/index.js';

const executors: ThreadPoolExecutor[] = [];
const gates: Int32Array[] = [];

after(async () => {
  for (const array of gates) openGate(array);
  await Promise.all(executors.map((executor) => executor.shutdown({ cancelFutures: true })));
});

/** An executor shut down after the file, whatever happens. */
export function pool(options?: ThreadPoolExecutorOptions): ThreadPoolExecutor {
  const executor = new ThreadPoolExecutor(options);
  executors.push(executor);
  return executor;
}

/** A flag in shared memory that tasks wait on (waitForGate); opened after the file at the latest. */
export function sharedGate(): Int32Array {
  const array = new Int32Array(new SharedArrayBuffer(4));
  gates.push(array);
  return array;
}

/** Opens a gate: every task waiting on it goes on. */
export function openGate(array: Int32Array): void {
  Atomics.store(array, 0, 1);
  Atomics.notify(array, 0);
}

/** Polls `condition` every 5 ms, for up to 10 s. */
export async function pollUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting until ${what}`);
}
