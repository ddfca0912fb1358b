// Helpers for the tests of credit-based delivery to a queue's consumers (src/queue/queue-prefetch.ts):
// what the owner has lent, a clock that makes every consumer loop count as fast, and waits
// derived from the owner's own state.
import { mock } from 'node:test';
import type { Queue } from '../../src/index.js';
import { until } from './async-helpers.js';

/**
 * How many items of `queue` a handle has fetched ahead and its code has not taken yet (the
 * owner's count, private to `Queue`): read by the tests to show that items really were lent.
 */
export function lentOf<T>(queue: Queue<T>): number {
  return (queue as unknown as { lent: number }).lent;
}

/** Waits until no item of `queue` is lent (they were taken, or came back). A guard, not a timing. */
export function untilNoneLent<T>(queue: Queue<T>, why: string): Promise<void> {
  return until(() => lentOf(queue) === 0, `no item is lent any more (${why})`);
}

/**
 * Stops `performance.now()` (the prefetch's clock) at its current reading until `restore`,
 * so that every get a consumer makes counts as made at once after its last item: the window
 * grows on each get exactly as the algorithm says, whatever the machine's load. `advance`
 * moves it on (past `IDLE_MS`, to let the idle check see a consumer that stopped asking).
 */
export function frozenClock(): { advance(ms: number): void; restore(): void } {
  let now = performance.now();
  const stub = mock.method(performance, 'now', () => now);
  return {
    advance(ms: number) {
      now += ms;
    },
    restore() {
      stub.mock.restore();
    },
  };
}

/** `count` items from `next()`, one after another. */
export async function take<T>(next: () => Promise<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(await next());
  return items;
}

/** The numbers `from`, `from + 1`, ... below `to`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** Takes every item stored in the owner's `queue` now, in order. */
export function drain<T>(queue: Queue<T>): T[] {
  const items: T[] = [];
  while (queue.qsize() - lentOf(queue) > 0) items.push(queue.getNowait());
  return items;
}
