/**
 * weft — Python's concurrency model for TypeScript on Node.js.
 * @module
 */
export type { WaitOptions } from './core/options.js';
export {
  ActorExit,
  AuthenticationError,
  BrokenBarrierError,
  CancelledError,
  LockOrderError,
  NoTaskError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
  WorkerCrashedError,
} from './errors.js';
export { LifoQueue } from './queue/lifo-queue.js';
export { type Compare, naturalOrder, PriorityQueue } from './queue/priority-queue.js';
export { Queue } from './queue/queue.js';
export { type Selected, select } from './queue/select.js';
export { SimpleQueue } from './queue/simple-queue.js';
export { acquireAll } from './sync/acquire-all.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';
export { Condition } from './sync/condition.js';
export type { ConditionLock } from './sync/condition-protocol.js';
export { Event } from './sync/event.js';
export { Lock } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { BoundedSemaphore, Semaphore } from './sync/semaphore.js';
export { currentTask, spawn, Task } from './task/task.js';
