// Every blocking call takes { timeout, signal }; a wait that gives up leaves no trace behind.
import { getEventListeners } from 'node:events';
import { Lock, Queue, spawn } from 'weft';

const lock = new Lock();
await lock.acquire();
console.log(`acquire, 10 ms timeout: ${await lock.acquire({ timeout: 10 })}`);
await lock.guard({ timeout: 10 }).catch((err: Error) => console.log(`guard: ${err.name}`));

const queue = new Queue<string>();
await queue.get({ timeout: 10 }).catch((err: Error) => console.log(`get: ${err.name}`));

const controller = new AbortController();
const pending = queue.get({ signal: controller.signal });
console.log(
  `abort listeners while waiting: ${getEventListeners(controller.signal, 'abort').length}`,
);
controller.abort(new Error('user pressed stop'));
await pending.catch((err: Error) => console.log(`aborted: ${err.message}`));
console.log(`abort listeners afterwards: ${getEventListeners(controller.signal, 'abort').length}`);
queue.putNowait('x');
console.log(`the aborted get took nothing: qsize ${queue.qsize()}`);

// An already-aborted signal rejects at once, without queueing.
await lock
  .acquire({ signal: AbortSignal.abort('too late') })
  .catch((reason) => console.log(`already aborted: ${reason}`));

// Killing a task interrupts weft's blocking calls inside it.
const stuck = spawn(() => lock.acquire());
await stuck.kill();
console.log(`killed task: ${(stuck.exception as Error).name}`);
lock.release(); // had the killed waiter stayed queued, the lock would pass to it
console.log(`locked after release: ${lock.locked()}`);
