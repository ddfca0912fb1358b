// Semaphore and BoundedSemaphore: the shared semaphore contract, plus construction and what only
// the task-scope classes offer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BoundedSemaphore, RuntimeError, Semaphore } from '../src/index.js';
import { semaphoreContract } from './contracts/semaphore-contract.js';
import { TEST_OPTIONS, taskParties, track } from './support/async-helpers.js';

const noClose = async () => {};

semaphoreContract({
  name: 'Semaphore',
  bounded: false,
  create: async (value) => ({ sem: new Semaphore(value), close: noClose }),
  ...taskParties,
});

semaphoreContract({
  name: 'BoundedSemaphore',
  bounded: true,
  create: async (value) => ({ sem: new BoundedSemaphore(value), close: noClose }),
  ...taskParties,
});

describe('Semaphore construction', TEST_OPTIONS, () => {
  for (const Kind of [Semaphore, BoundedSemaphore]) {
    test(`${Kind.name} refuses a value that is not an integer >= 0`, () => {
      for (const value of [
        -1,
        -Number.MAX_SAFE_INTEGER,
        1.5,
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ]) {
        assert.throws(() => new Kind(value), RangeError, `${Kind.name}(${value})`);
      }
      assert.throws(() => new Kind('2' as unknown as number), RangeError);
      assert.equal(new Kind(0).value, 0);
      assert.equal(new Kind().value, 1);
    });
  }

  test('a Semaphore of 0 blocks until someone releases', async () => {
    const sem = new Semaphore(0);
    assert.equal(sem.tryAcquire(), false);
    assert.equal(await sem.acquire({ timeout: 5 }), false);
    sem.release();
    assert.equal(await sem.acquire({ timeout: 0 }), true);
  });

  test('timeout 0 answers without waiting for any timer', async () => {
    const sem = new Semaphore(0);
    const attempt = track(sem.acquire({ timeout: 0 }));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    assert.equal(attempt.state, 'fulfilled', 'settled within the same turn of the event loop');
    assert.equal(attempt.value, false);
  });

  test('a BoundedSemaphore remembers its bound, and a bound of 0 refuses every release', () => {
    const sem = new BoundedSemaphore(0);
    assert.equal(sem.bound, 0);
    assert.throws(() => sem.release(), RuntimeError);
    assert.equal(sem.value, 0);
    assert.equal(new BoundedSemaphore(4).bound, 4);
  });

  test('the over-release error says how many permits are held', () => {
    const sem = new BoundedSemaphore(2);
    sem.tryAcquire();
    assert.throws(() => sem.release(2), /1 permit\(s\) are held, bound is 2/);
  });

  test('semaphores are not awaitable and get ordinals for acquireAll', () => {
    assert.equal('then' in new Semaphore(), false);
    assert.equal('then' in new BoundedSemaphore(), false);
    assert.ok(new Semaphore().ordinal < new BoundedSemaphore().ordinal);
  });
});
