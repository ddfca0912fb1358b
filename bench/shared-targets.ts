/**
 * What the threads of the shared-memory benchmark run (bench/shared.ts): portable, so a
 * worker thread finds them by importing this module. Each serves rounds until told to
 * stop, so a round times the traffic, not a thread's start-up, and each reports what it
 * did, checked by the main thread.
 * @module
 */
import { portable, type SharedLock, type SharedQueue, type SharedValue } from 'weft';

import { countRounds, STOP } from './handles-targets.js';

export { END_OF_ROUND, OUT_OF_ORDER, STOP } from './handles-targets.js';

/** `countRounds` over `get` (or `getSync`) of a SharedQueue, reporting on `done`. */
export const consumeRounds = portable(
  import.meta.url,
  (items: SharedQueue<number>, done: SharedQueue<number>, sync: boolean): Promise<void> =>
    countRounds(
      () => (sync ? items.getSync() : items.get()),
      (count) => done.put(count),
    ),
);

/** Puts back on `outbox` every number it takes from `inbox` (with `get`, or `getSync`), until `STOP`. */
export const echoRounds = portable(
  import.meta.url,
  async (inbox: SharedQueue<number>, outbox: SharedQueue<number>, sync: boolean): Promise<void> => {
    for (;;) {
      const item = sync ? inbox.getSync() : await inbox.get();
      if (item === STOP) return;
      if (sync) outbox.putSync(item);
      else await outbox.put(item);
    }
  },
);

/**
 * For each count taken from `commands` (until `STOP`): that many acquire + release of
 * `lock` (`acquire`, or `acquireSync`), each adding one to `counter[0]` while held; then
 * reports the count on `done`.
 */
export const lockRounds = portable(
  import.meta.url,
  async (
    commands: SharedQueue<number>,
    done: SharedQueue<number>,
    lock: SharedLock,
    counter: Int32Array,
    sync: boolean,
  ): Promise<void> => {
    for (;;) {
      const count = await commands.get();
      if (count === STOP) return;
      for (let i = 0; i < count; i++) {
        if (sync) lock.acquireSync();
        else await lock.acquire();
        counter[0]!++;
        lock.release();
      }
      await done.put(count);
    }
  },
);

/**
 * For each count taken from `commands` (until `STOP`): that many `value += 1` under the
 * value's own lock (`guard()`, or `acquireSync`); then reports the count on `done`.
 */
export const valueRounds = portable(
  import.meta.url,
  async (
    commands: SharedQueue<number>,
    done: SharedQueue<number>,
    value: SharedValue<'i'>,
    sync: boolean,
  ): Promise<void> => {
    const lock = value.getLock();
    for (;;) {
      const count = await commands.get();
      if (count === STOP) return;
      for (let i = 0; i < count; i++) {
        if (sync) {
          lock.acquireSync();
          value.value += 1;
          lock.release();
        } else {
          using _ = await lock.guard();
          value.value += 1;
        }
      }
      await done.put(count);
    }
  },
);
