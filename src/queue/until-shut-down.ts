/**
 * `for await` over a queue: what `Queue` and its handles share.
 * @module
 */
import { QueueShutDown } from '../errors.js';

/** Yields what `get` gives, one after another; ends when it rejects with `QueueShutDown`. */
export async function* untilShutDown<T>(get: () => Promise<T>): AsyncGenerator<T, void, undefined> {
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
}
