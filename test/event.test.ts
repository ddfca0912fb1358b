// Event: the shared event contract, plus what only the task-scope class offers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Event } from '../src/index.js';
import { eventContract } from './contracts/event-contract.js';
import { TEST_OPTIONS, taskParties } from './support/async-helpers.js';

eventContract({
  name: 'Event',
  create: async () => ({ event: new Event(), close: async () => {} }),
  ...taskParties,
});

describe('Event only', TEST_OPTIONS, () => {
  test('is not awaitable: `await event` is a mistake, not a wait', () => {
    assert.equal('then' in new Event(), false);
  });

  test('plain async functions outside any task can wait for it', async () => {
    const event = new Event();
    const waits = [event.wait(), event.wait({ timeout: 60_000 })];
    setTimeout(() => event.set(), 1);
    assert.deepEqual(await Promise.all(waits), [true, true]);
  });
});
