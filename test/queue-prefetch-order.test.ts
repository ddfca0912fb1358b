// A consumer's handle with calls of different kinds outstanding at once — gets waiting, a
// get timed by the owner, a getNowait, an iterator's next — settles them in the order they
// were made, each with the queue's next item for it (the open finding of
// property-prefetch.test.ts, issue 11, now one test per interleaving).
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import type { Destination } from '../src/codec/descriptor.js';
import { Queue, QueueEmpty, type QueueHandle } from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { frozenClock, range, take } from './support/prefetch.js';

after(closeLocalHandles);

/** A hang guard per suite: the waits below are round trips and events, not timings. */
const SUITE = { timeout: 20_000 } as const;

let clock: ReturnType<typeof frozenClock> | undefined;
afterEach(() => {
  clock?.restore();
  clock = undefined;
});

/** Records what each call settled with, in the order they settled. */
function settleLog() {
  const log: string[] = [];
  const follow = <T>(name: string, call: Promise<T>): Promise<T> => {
    call.then(
      (value) => log.push(`${name}:${JSON.stringify(value)}`),
      (error: unknown) => log.push(`${name}:${(error as Error).name}`),
    );
    return call;
  };
  return { log, follow };
}

/** Runs `body` with a new queue and a handle on it going `to` a thread or a process; closes the handle after. */
async function withHandle(
  to: Destination,
  body: (queue: Queue<number>, handle: QueueHandle<number>) => Promise<void>,
): Promise<void> {
  const queue = new Queue<number>();
  const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
  try {
    await body(queue, handle);
  } finally {
    await close();
  }
}

for (const to of ['thread', 'process'] as const satisfies Destination[]) {
  describe(`a consumer's calls of different kinds settle in order (${to} handle)`, SUITE, () => {
    test("an iterator's next, then a get: the next item each, in that order", () =>
      withHandle(to, async (queue, handle) => {
        const { log, follow } = settleLog();
        const items = handle[Symbol.asyncIterator]();
        const next = follow('next', items.next());
        const get = follow('get', handle.get());
        await handle.qsize(); // a round trip: both are waiting at the owner
        queue.putNowait(1);
        queue.putNowait(2);
        assert.deepEqual(await next, { value: 1, done: false });
        assert.equal(await get, 2);
        assert.deepEqual(log, ['next:{"value":1,"done":false}', 'get:2']);
        await items.return!();
      }));

    test('a get timed by the owner, then a get, then a getNowait', () =>
      withHandle(to, async (queue, handle) => {
        const { log, follow } = settleLog();
        // Nothing fetched: the first is a plain get, timed by the owner (a long timeout).
        const timed = follow('timed', handle.get({ timeout: 60_000 }));
        const get = follow('get', handle.get());
        await handle.qsize();
        assert.equal(queue[GETTERS].length, 2, 'both wait at the owner, in order');
        // Earlier gets wait: the next item is theirs, as with the owner's own getNowait.
        await assert.rejects(follow('nowait', handle.getNowait()), QueueEmpty);
        queue.putNowait(1);
        queue.putNowait(2);
        assert.equal(await timed, 1);
        assert.equal(await get, 2);
        assert.deepEqual(log, ['nowait:QueueEmpty', 'timed:1', 'get:2']);
      }));

    test('a getNowait while batches are on their way, then a get: the earlier item to the earlier call', async () => {
      clock = frozenClock(); // every get counts as a fast loop: the window grows
      const queue = new Queue<number>();
      for (const n of range(0, 100)) queue.putNowait(n);
      const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
      try {
        assert.deepEqual(await take(() => handle.get(), 100), range(0, 100));
        await handle.qsize(); // a round trip: the batches asked for since wait at the owner
        assert.ok(queue[GETTERS].length > 0, 'batches are on their way, waiting for items');
        const { log, follow } = settleLog();
        const nowait = follow('nowait', handle.getNowait());
        const get = follow('get', handle.get());
        // Put before the owner hears that the batches are withdrawn: they take these.
        queue.putNowait(100);
        queue.putNowait(101);
        assert.equal(await nowait, 100, 'the getNowait made first gets the earlier item');
        assert.equal(await get, 101);
        assert.deepEqual(log, ['nowait:100', 'get:101']);
        assert.equal(await handle.qsize(), 0, 'both taken, nothing else lent');
      } finally {
        await close();
      }
    });

    test('gets with a signal, a timeout, an iterator and plain gets, all waiting: settled in order', () =>
      withHandle(to, async (queue, handle) => {
        const { log, follow } = settleLog();
        const items = handle[Symbol.asyncIterator]();
        const calls = [
          follow('get', handle.get()),
          follow('signal', handle.get({ signal: new AbortController().signal })),
          follow('next', items.next()),
          follow('timeout', handle.get({ timeout: 60_000 })),
          follow('get2', handle.get()),
        ];
        await handle.qsize();
        for (const n of range(0, 5)) queue.putNowait(n);
        await Promise.all(calls);
        assert.deepEqual(log, [
          'get:0',
          'signal:1',
          'next:{"value":2,"done":false}',
          'timeout:3',
          'get2:4',
        ]);
        await items.return!();
      }));

    test('the iterator ends when the queue is shut down and drained, with gets still waiting', () =>
      withHandle(to, async (queue, handle) => {
        const { log, follow } = settleLog();
        const items = handle[Symbol.asyncIterator]();
        const next = follow('next', items.next());
        const get = follow('get', handle.get());
        await handle.qsize();
        queue.putNowait(7);
        queue.shutdown();
        assert.deepEqual(await next, { value: 7, done: false });
        await assert.rejects(get, { name: 'QueueShutDown' });
        assert.deepEqual(await items.next(), { value: undefined, done: true });
        assert.deepEqual(log, ['next:{"value":7,"done":false}', 'get:QueueShutDown']);
      }));
  });
}
