// Barrier: the shared barrier contract, plus construction and what only the task-scope class does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Barrier, BrokenBarrierError } from '../src/index.js';
import { barrierContract } from './contracts/barrier-contract.js';
import { TEST_OPTIONS, taskParties } from './support/async-helpers.js';

barrierContract({
  name: 'Barrier',
  create: async (parties, setup) => ({
    barrier: new Barrier(parties, setup),
    close: async () => {},
  }),
  ...taskParties,
});

describe('Barrier construction', TEST_OPTIONS, () => {
  test('parties must be an integer >= 1', () => {
    for (const parties of [0, -4, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Barrier(parties), RangeError, `Barrier(${parties})`);
    }
    assert.throws(() => new Barrier('3' as unknown as number), RangeError);
    assert.equal(new Barrier(1).parties, 1);
  });

  test('options are checked when the barrier is built', () => {
    assert.throws(() => new Barrier(2, { timeout: -1 }), RangeError);
    assert.throws(() => new Barrier(2, { timeout: Number.NaN }), TypeError);
    assert.throws(() => new Barrier(2, { action: 'run' as unknown as () => void }), TypeError);
  });

  test('a new barrier is whole and empty', () => {
    const barrier = new Barrier(3);
    assert.equal(barrier.broken, false);
    assert.equal(barrier.nWaiting, 0);
  });

  test('reset of a barrier nobody waits on keeps it whole; abort of one breaks it', async () => {
    const barrier = new Barrier(1);
    barrier.reset();
    assert.equal(barrier.broken, false);
    assert.equal(await barrier.wait(), 0);
    barrier.abort();
    assert.equal(barrier.broken, true);
    assert.equal(barrier.nWaiting, 0);
    await assert.rejects(barrier.wait(), BrokenBarrierError);
  });

  test('is not awaitable: `await barrier` is a mistake, not a wait', () => {
    assert.equal('then' in new Barrier(2), false);
  });
});
