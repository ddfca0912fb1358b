// A worker that answers batches times them itself: the runtime tells its channel how long
// each batch took and how many tasks it held, and a pool process sends that with the
// batch's answers, so the executor sizes its hand-overs by the work, not by the trips.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProcessTransport } from '../src/executor/process/process-transport.js';
import { OK, READY } from '../src/executor/protocol.js';
import { runWorker } from '../src/executor/worker-runtime.js';

const TASKS = new URL('./fixtures/executor-tasks.ts', import.meta.url).href;

/** A batch defining `square` (key 0), then two calls and a chunk of three items. */
const batch = (): unknown[] => [1, TASKS, 'square', undefined, 0, 1, 3, 0, 1, 4, 0, -3, [1, 2, 3]];

describe('executor workers time their batches', { timeout: 60_000 }, () => {
  test('the runtime reports each batch once its last task answered: its time and its task count', async () => {
    const replies: unknown[][] = [];
    const batches: [number, number, number][] = [];
    let deliver!: (message: unknown) => void;
    const done = new Promise<void>((resolve) => {
      runWorker({
        post: (message) => replies.push(message as unknown[]),
        onMessage: (listener) => {
          deliver = listener;
        },
        markStarted: () => {},
        batchDone: (ms, tasks) => {
          batches.push([ms, tasks, replies.length]);
          if (batches.length === 2) resolve();
        },
      });
    });
    deliver({ init: true, initializer: null, initArgs: [] });
    deliver(batch());
    deliver([0, 0, -2, [5, 6]]);
    await done;
    assert.deepEqual(
      batches.map(([, tasks, answered]) => [tasks, answered]),
      [
        [3, 4], // READY, then the batch's three answers
        [1, 5],
      ],
    );
    for (const [ms] of batches) assert.ok(Number.isFinite(ms) && ms >= 0, String(ms));
    assert.deepEqual(replies.slice(1), [
      [OK, 9],
      [OK, 16],
      [OK, [1, 4, 9]],
      [OK, [25, 36]],
    ]);
  });

  test("a pool process sends its batches' time with their answers", async () => {
    const answers: unknown[] = [];
    const times: [number, number][] = [];
    let exited!: () => void;
    const exit = new Promise<void>((resolve) => {
      exited = resolve;
    });
    let answered!: () => void;
    const allAnswered = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const link = new ProcessTransport().spawn({
      onMessage: (message) => {
        answers.push(message);
        if (answers.length === 4) answered();
      },
      onMessageError: (error) => assert.fail(String(error)),
      onServiceTime: (ms, tasks) => times.push([ms, tasks]),
      onExit: () => exited(),
    });
    try {
      link.send({ init: true, initializer: null, initArgs: [] }, []);
      link.send(batch(), []);
      await allAnswered;
      assert.deepEqual(answers, [[READY], [OK, 9], [OK, 16], [OK, [1, 4, 9]]]);
      assert.equal(
        times.reduce((sum, [, tasks]) => sum + tasks, 0),
        3,
      );
      for (const [ms] of times) assert.ok(Number.isFinite(ms) && ms >= 0, String(ms));
    } finally {
      link.terminate();
      await exit;
    }
  });
});
