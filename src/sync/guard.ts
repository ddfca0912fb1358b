/**
 * `guard()` — the `with lock:` of weft: acquire, and get a `Disposable` that releases.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { TimeoutError } from '../errors.js';

/** Something that can be acquired with a timeout and released. */
export interface Acquirable {
  acquire(opts?: WaitOptions): Promise<boolean>;
  release(): void;
}

/**
 * Acquires `lock` and returns a Disposable that releases it exactly once, for
 * `using g = await lock.guard()`. A timeout rejects with weft's `TimeoutError`.
 */
export async function guardOf(
  lock: Acquirable,
  what: string,
  opts: WaitOptions | undefined,
): Promise<Disposable> {
  if (!(await lock.acquire(opts))) {
    throw new TimeoutError(`${what}.guard(): not acquired within ${opts?.timeout} ms`);
  }
  let held = true;
  return {
    [Symbol.dispose]() {
      if (!held) return;
      held = false;
      lock.release();
    },
  };
}
