// The worker runtime (src/executor/worker-runtime.ts) on a channel of our own, no worker
// behind it: batches run in the order they came, a chunk's items arrive as one array and
// its results leave as one, and a channel that holds answers back is told as each batch ends
// (a process worker sends them then, while it runs the next batch).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHUNK_FAILED, OK, READY } from '../src/executor/protocol.js';
import { runWorker } from '../src/executor/worker-runtime.js';
import { targetRef } from '../src/portable/target-ref.js';
import { sqrtOrThrow, square } from './fixtures/executor-tasks.js';

type Event = ['post', unknown] | ['started', number] | ['batchDone'];

/** A runtime on a recording channel; `send` hands it a message as an executor would. */
function runtime(): { events: Event[]; send: (message: unknown) => void } {
  const events: Event[] = [];
  let listener: (message: unknown) => void = () => {};
  runWorker({
    post: (message) => void events.push(['post', message]),
    onMessage: (received) => {
      listener = received;
    },
    markStarted: (count) => void events.push(['started', count]),
    batchDone: () => void events.push(['batchDone']),
  });
  listener({ init: true, initializer: null, initArgs: [] });
  return { events, send: (message) => listener(message) };
}

/** Waits until `events` holds `count` answers (the target's module loads first). */
async function answers(events: Event[], count: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (
      events.filter(([kind, message]) => kind === 'post' && (message as number[])[0] !== READY)
        .length >= count
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`fewer than ${count} answers`);
}

function definition(fn: Parameters<typeof targetRef>[0]): unknown[] {
  const { module, name, source } = targetRef(fn);
  return [module, name, source];
}

describe('worker runtime: batches', () => {
  test('each batch ends with batchDone, after its answers and before the next batch starts', async () => {
    const { events, send } = runtime();
    // Two batches at once, as a process worker reads two pieces of a hand-over in one go.
    send([1, ...definition(square), 0, -3, [1, 2, 3], 0, -2, [4, 5]]);
    send([0, 0, -1, [6]]);
    await answers(events, 3);
    assert.deepEqual(events.slice(1), [
      ['started', 1],
      ['post', [OK, [1, 4, 9]]],
      ['started', 2],
      ['post', [OK, [16, 25]]],
      ['batchDone'],
      ['started', 3],
      ['post', [OK, [36]]],
      ['batchDone'],
    ]);
  });

  test('a chunk that fails part-way answers with the results before the failing item', async () => {
    const { events, send } = runtime();
    send([1, ...definition(sqrtOrThrow), 0, -4, [4, 9, -1, 16]]);
    await answers(events, 1);
    const answer = events.find(
      ([kind, message]) => kind === 'post' && (message as number[])[0] === CHUNK_FAILED,
    );
    assert.ok(answer, 'a CHUNK_FAILED answer');
    const [, results, error] = answer[1] as [number, number[], { message: string }];
    assert.deepEqual(results, [2, 3]);
    assert.match(error.message, /negative: -1/);
  });
});
