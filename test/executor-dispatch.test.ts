// How much of the queue each worker is handed (src/executor/dispatch.ts), on slots without
// workers: the share of a burst across ready and starting workers, the room a worker has,
// and how a hand-over is cut into messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handOver, shares } from '../src/executor/dispatch.js';
import { Job, type JobOwner } from '../src/executor/job.js';
import { JobQueue } from '../src/executor/job-queue.js';
import { TargetEntry } from '../src/executor/targets.js';
import type { WorkerLink } from '../src/executor/transport.js';
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

  test('a worker holding more than half its depth takes nothing until it drains to half', () => {
    assert.deepEqual(shares([slot(READY, 33)], 100, 64, NO_LIMIT), [0]);
    assert.deepEqual(shares([slot(READY, 32)], 100, 64, NO_LIMIT), [32]);
    // The worker above half does not count in the shares either: the other fills up.
    assert.deepEqual(shares([slot(READY, 40), slot(READY)], 100, 64, NO_LIMIT), [0, 64]);
  });
});

const owner: JobOwner = { jobCancelled() {}, abortJob() {} };
const target = new TargetEntry(0, { module: 'file:///m.js', name: 'f' });

/** A ready slot whose link records each message sent. */
function recordingSlot(): { slot: WorkerSlot<Job>; sent: unknown[][] } {
  const sent: unknown[][] = [];
  const made = new WorkerSlot<Job>(0);
  made.state = READY;
  const link: WorkerLink = {
    id: 0,
    send: (message) => void sent.push(message as unknown[]),
    terminate() {},
    ref() {},
    unref() {},
    started: () => undefined,
  };
  made.link = link;
  return { slot: made, sent };
}

describe('dispatch: a hand-over in messages', () => {
  test('at most perMessage jobs to a message, in queue order; chunks carry their items as one array', () => {
    const queue = new JobQueue();
    const jobs = [0, 1, 2, 3, 4].map(
      (i) => new Job(owner, target, [i * 10, i * 10 + 1], null, true),
    );
    for (const job of jobs) queue.push(job);
    const { slot: worker, sent } = recordingSlot();
    handOver(worker, queue, 5, 2, [target.definition], 'Pool');
    assert.deepEqual(sent, [
      [1, 'file:///m.js', 'f', undefined, 0, -2, [0, 1], 0, -2, [10, 11]],
      [0, 0, -2, [20, 21], 0, -2, [30, 31]],
      [0, 0, -2, [40, 41]],
    ]);
    const held: Job[] = [];
    for (let job = worker.inflight.shift(); job !== undefined; job = worker.inflight.shift()) {
      held.push(job);
    }
    assert.deepEqual(held, jobs, 'in flight in the order sent');
    assert.ok(jobs.every((job) => job.running()));
  });

  test('a call travels flat: its arguments in the batch itself', () => {
    const queue = new JobQueue();
    queue.push(new Job(owner, target, ['a', 'b'], null, false));
    const { slot: worker, sent } = recordingSlot();
    worker.known = 1;
    handOver(worker, queue, 1, 64, [target.definition], 'Pool');
    assert.deepEqual(sent, [[0, 0, 2, 'a', 'b']]);
  });
});
