// The package as a user installs it: `import ... from 'weft'` resolves to the built dist/.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('weft resolves through package exports to the built files and exports the contract names', async () => {
  const weft = await import('weft');
  for (const name of [
    'Lock',
    'RLock',
    'Semaphore',
    'BoundedSemaphore',
    'Event',
    'Condition',
    'Barrier',
    'acquireAll',
    'Queue',
    'LifoQueue',
    'PriorityQueue',
    'SimpleQueue',
    'select',
    'spawn',
    'currentTask',
    'Task',
    'QueueEmpty',
    'QueueFull',
    'QueueShutDown',
    'BrokenBarrierError',
    'LockOrderError',
    'CancelledError',
    'TimeoutError',
    'WorkerCrashedError',
    'AuthenticationError',
    'ActorExit',
  ]) {
    assert.equal(
      typeof (weft as Record<string, unknown>)[name],
      'function',
      `weft exports ${name}`,
    );
  }
  assert.match(import.meta.resolve('weft'), /\/dist\/index\.js$/);
});

test('errors carry their class name, so logs and instanceof both work', async () => {
  const { QueueEmpty, TimeoutError } = await import('weft');
  const err = new TimeoutError('late');
  assert.equal(err.name, 'TimeoutError');
  assert.ok(err instanceof Error);
  assert.equal(new QueueEmpty('x').name, 'QueueEmpty');
});
