/**
 * What the children of the handles benchmark run (bench/handles.ts): portable, so a child
 * process or worker thread finds them by importing this module (under tsx, as the bench
 * itself runs). Each loops over rounds until told to stop, so a round times the handle's
 * traffic, not a child's start-up, and each reports what it received, checked by the parent.
 * @module
 */
import { type HandleOf, type Lock, portable, type Queue, type SharedDict } from 'weft';

/** Ends a round: the consumer reports how many items came before it, in order. */
export const END_OF_ROUND = -1;
/** Ends the consumer. */
export const STOP = -2;
/** What a consumer reports when an item came out of order. */
export const OUT_OF_ORDER = -3;

/**
 * The consumer loop of the handles and shared benchmarks: counts 0, 1, 2, ... from `take`
 * until `END_OF_ROUND`, then reports how many came in order (or `OUT_OF_ORDER`); returns at `STOP`.
 */
export async function countRounds(
  take: () => number | Promise<number>,
  report: (count: number) => Promise<unknown>,
): Promise<void> {
  let expected = 0;
  let inOrder = true;
  for (;;) {
    const item = await take();
    if (item === STOP) return;
    if (item === END_OF_ROUND) {
      await report(inOrder ? expected : OUT_OF_ORDER);
      expected = 0;
      inOrder = true;
    } else if (item === expected) expected++;
    else inOrder = false;
  }
}

/** `countRounds` over `await items.get()`, reporting on `done`. */
export const consumeRounds = portable(
  import.meta.url,
  (items: HandleOf<Queue<number>>, done: HandleOf<Queue<number>>): Promise<void> =>
    countRounds(
      () => items.get(),
      (count) => done.put(count),
    ),
);

/**
 * For each count taken from `commands` (until a negative one): that many `set(i % 64, i)`
 * then `get(i % 64)` on `dict`, each get checked; puts the count on `done` (or
 * `OUT_OF_ORDER` when a get returned the wrong value).
 */
export const dictRounds = portable(
  import.meta.url,
  async (
    commands: HandleOf<Queue<number>>,
    done: HandleOf<Queue<number>>,
    dict: SharedDict<number, number>,
  ): Promise<void> => {
    for (;;) {
      const count = await commands.get();
      if (count < 0) return;
      let right = true;
      for (let i = 0; i < count; i++) {
        await dict.set(i & 63, i);
        if ((await dict.get(i & 63)) !== i) right = false;
      }
      await done.put(right ? count : OUT_OF_ORDER);
    }
  },
);

/**
 * For each count taken from `commands` (until a negative one): that many acquire + release;
 * puts on `done` the count when every acquire returned true (or `OUT_OF_ORDER`).
 */
export const lockRounds = portable(
  import.meta.url,
  async (
    commands: HandleOf<Queue<number>>,
    done: HandleOf<Queue<number>>,
    lock: HandleOf<Lock>,
  ): Promise<void> => {
    for (;;) {
      const count = await commands.get();
      if (count < 0) return;
      let held = 0;
      for (let i = 0; i < count; i++) {
        if (await lock.acquire()) held++;
        await lock.release();
      }
      await done.put(held === count ? count : OUT_OF_ORDER);
    }
  },
);

/**
 * One of several consumers sharing `items`: waits for a go on its own `go` queue (`STOP`
 * ends it), then takes items with `for await` until an `END_OF_ROUND` mark (each consumer
 * gets one) and puts on `done` how many it took, all in increasing order (or `OUT_OF_ORDER`).
 */
export const shareRounds = portable(
  import.meta.url,
  async (
    items: HandleOf<Queue<number>>,
    go: HandleOf<Queue<number>>,
    done: HandleOf<Queue<number>>,
  ): Promise<void> => {
    while ((await go.get()) !== STOP) {
      let taken = 0;
      let last = -1;
      let inOrder = true;
      for await (const item of items) {
        if (item === END_OF_ROUND) break;
        if (item <= last) inOrder = false;
        last = item;
        taken++;
      }
      await done.put(inOrder ? taken : OUT_OF_ORDER);
    }
  },
);

/**
 * A producer: for each count taken from `commands` (until a negative one), puts 0, 1, ...,
 * count - 1 on `items` with `await items.put(i)`, then `END_OF_ROUND`.
 */
export const produceRounds = portable(
  import.meta.url,
  async (commands: HandleOf<Queue<number>>, items: HandleOf<Queue<number>>): Promise<void> => {
    for (;;) {
      const count = await commands.get();
      if (count < 0) return;
      for (let i = 0; i < count; i++) await items.put(i);
      await items.put(END_OF_ROUND);
    }
  },
);
