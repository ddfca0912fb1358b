/**
 * `for await` over a queue: what `Queue` and its handles share.
 * @module
 */
import { QueueShutDown } from '../errors.js';

/**
 * Yields what `get` gives, one after another; ends when it rejects with `QueueShutDown`.
 * `stopped` runs when the loop ends, however it ends (a `break` included).
 */
export async function* untilShutDown<T>(
  get: () => Promise<T>,
  stopped?: () => void,
): AsyncGenerator<T, void, undefined> {
  try {
    while (true) {
      let item: T;
      try {
        item = await get();
      } catch (err) {
        if (err instanceof QueueShutDown) return;
        throw err;
      }
      yield item;
    }
  } finally {
    stopped?.();
  }
}
