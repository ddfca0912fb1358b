/**
 * `guard()` of the Redis-scope lock and semaphore: acquire, and get a guard that releases
 * once, for `await using` (which waits for the release and throws what it threw, such as a
 * `LeaseLostError`) or `using` (which cannot wait: a failed release becomes a process
 * warning rather than an unhandled rejection).
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { TimeoutError } from '../errors.js';

/** What a Redis guard holds. */
export interface RedisAcquirable {
  acquire(opts?: WaitOptions): Promise<boolean>;
  release(): Promise<void>;
}

/** Acquires `lock` and returns a guard that releases it exactly once; a timeout rejects with `TimeoutError`. */
export async function redisGuard(
  lock: RedisAcquirable,
  what: string,
  opts: WaitOptions | undefined,
): Promise<Disposable & AsyncDisposable> {
  if (!(await lock.acquire(opts))) {
    throw new TimeoutError(`${what}.guard(): not acquired within ${opts?.timeout} ms`);
  }
  let releasing: Promise<void> | undefined;
  const release = () => {
    releasing ??= lock.release();
    return releasing;
  };
  return {
    [Symbol.dispose]() {
      if (releasing !== undefined) return;
      release().catch((error: Error) => process.emitWarning(error));
    },
    [Symbol.asyncDispose]() {
      if (releasing !== undefined) return Promise.resolve();
      return release();
    },
  };
}
