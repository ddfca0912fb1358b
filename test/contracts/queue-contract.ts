// The queue contract: what every queue implementation must do, in every scope (task, shared
// memory, process proxy, Redis). Ported from the behaviours CPython checks in
// Lib/test/test_queue.py and Lib/test/test_asyncio/test_queues.py.
//
// Usage: queueContract({ name, order, bounded, create }) inside a test file.
import { describe } from 'node:test';
import { basicsContract } from './queue-contract-basics.js';
import { joinContract } from './queue-contract-join.js';
import { shutdownContract } from './queue-contract-shutdown.js';
import type { QueueImpl } from './queue-contract-support.js';
import { waitingContract } from './queue-contract-waiting.js';

export type { MaybePromise, QueueImpl, QueueLike } from './queue-contract-support.js';

export function queueContract(impl: QueueImpl): void {
  describe(`${impl.name} (queue contract)`, () => {
    basicsContract(impl);
    waitingContract(impl);
    joinContract(impl);
    shutdownContract(impl);
  });
}
