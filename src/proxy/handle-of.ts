/**
 * `HandleOf<P>`: the type a primitive of type `P` has once it crossed into another thread.
 * @module
 */
import type { Actor } from '../actor/actor.js';
import type { Exchange } from '../exchange/exchange.js';
import type { Queue } from '../queue/queue.js';
import type { Barrier } from '../sync/barrier.js';
import type { Condition } from '../sync/condition.js';
import type { Event } from '../sync/event.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import type { Semaphore } from '../sync/semaphore.js';
import type { ActorHandle, ExchangeHandle } from './actor-handles.js';
import type { QueueHandle } from './queue-handle.js';
import type {
  BarrierHandle,
  ConditionHandle,
  EventHandle,
  LockHandle,
  SemaphoreHandle,
} from './sync-handles.js';

/**
 * What a weft primitive of type `P` arrives as in a worker: type the parameters of thread
 * and pool work with it (`dishes: HandleOf<Queue<Dish>>`, which is `QueueHandle<Dish>`).
 * Handles pass on as they are.
 */
export type HandleOf<P> =
  P extends Queue<infer T>
    ? QueueHandle<T>
    : P extends Lock | RLock
      ? LockHandle
      : P extends Semaphore
        ? SemaphoreHandle
        : P extends Event
          ? EventHandle
          : P extends Condition
            ? ConditionHandle
            : P extends Barrier
              ? BarrierHandle
              : P extends Actor<infer M, infer R>
                ? ActorHandle<M, R>
                : P extends Exchange<infer M>
                  ? ExchangeHandle<M>
                  : P;
