// How much of the queue each worker is handed (src/executor/dispatch.ts), on slots without
// workers: the share of a burst across ready and starting workers, the room a worker has.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shares } from '../src/executor/dispatch.js';
import { READY, type SlotJob, STARTING, WorkerSlot } from '../src/executor/worker-slot.js';

/** A slot in `state` holding `held` tasks. */
function slot(state: number, held = 0): WorkerSlot {
  const made = new WorkerSlot(0);
  made.state = state;
  for (let i = 0; i < held; i++) made.inflight.push({} as SlotJob);
  made.sent = held;
  return made;
}

const NO_LIMIT = Number.POSITIVE_INFINITY;

describe('dispatch: shares of a burst', () => {
  test('a ready worker keeps half of a burst for a worker still starting', () => {
    assert.deepEqual(shares([slot(READY), slot(STARTING)], 16, 64, NO_LIMIT), [8, 0]);
  });

  test('the worker that starts late then gets the other half', () => {
    assert.deepEqual(shares([slot(READY, 8), slot(READY)], 8, 64, NO_LIMIT), [0, 8]);
  });

  test('workers fill up to an equal share of what is queued and held', () => {
    assert.deepEqual(shares([slot(READY, 5), slot(READY, 1)], 10, 64, NO_LIMIT), [3, 7]);
  });

  test('what does not divide evenly waits in the queue for the first worker to drain', () => {
    assert.deepEqual(shares([slot(READY), slot(READY, 1)], 2, 64, NO_LIMIT), [1, 0]);
    assert.deepEqual(shares([slot(READY), slot(READY)], 3, 64, NO_LIMIT), [1, 1]);
  });

  test('a worker with nothing to do takes one even while others are starting', () => {
    assert.deepEqual(
      shares([slot(READY), slot(STARTING), slot(STARTING)], 1, 64, NO_LIMIT),
      [1, 0, 0],
    );
  });

  test('a lone worker takes what its room allows', () => {
    assert.deepEqual(shares([slot(READY, 2)], 100, 64, NO_LIMIT), [62]);
    assert.deepEqual(shares([slot(READY, 2)], 100, 1, NO_LIMIT), [0]);
    assert.deepEqual(shares([slot(READY, 2)], 100, 64, 5), [3]);
  });

  test('a full worker neither takes nor counts in the shares', () => {
    assert.deepEqual(shares([slot(READY, 1), slot(READY)], 4, 1, NO_LIMIT), [0, 1]);
    assert.deepEqual(shares([slot(READY, 1), slot(READY, 1)], 4, 1, NO_LIMIT), [0, 0]);
  });
});
