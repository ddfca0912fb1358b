/**
 * `HandleOf<P>`: the type a primitive of type `P` has once it crossed into another thread.
 * @module
 */
import type { Actor } from '../actor/actor.js';
import type { ActorHandle } from '../actor/actor-handle.js';
import type { Exchange } from '../exchange/exchange.js';
import type { ExchangeHandle } from '../exchange/exchange-handle.js';
import type { Connection as PipeConnection } from '../pipe/pipe.js';
import type { PipeEnd } from '../pipe/pipe-end.js';
import type { Queue } from '../queue/queue.js';
import type { QueueHandle } from '../queue/queue-handle.js';
import type { Barrier } from '../sync/barrier.js';
import type { Condition } from '../sync/condition.js';
import type { Event } from '../sync/event.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import type { Semaphore } from '../sync/semaphore.js';
import type {
  BarrierHandle,
  ConditionHandle,
  EventHandle,
  LockHandle,
  SemaphoreHandle,
} from '../sync/sync-handles.js';

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
                  : P extends PipeConnection<infer S, infer R>
                    ? PipeEnd<S, R>
                    : P;

/**
 * What may be passed for a worker's parameter of type `H`: a value of type `H`, or — where
 * `H` is a handle — the primitive itself, which crosses as that handle. So a function
 * typed `(jobs: HandleOf<Queue<Job>>) => ...` takes a `Queue<Job>` in `new Thread(fn, {
 * args })`, `new Process(...)`, `executor.submit(...)` and the pools.
 */
export type Sendable<H> =
  | H
  | (H extends QueueHandle<infer T> ? Queue<T> : never)
  | (H extends LockHandle ? Lock | RLock : never)
  | (H extends SemaphoreHandle ? Semaphore : never)
  | (H extends EventHandle ? Event : never)
  | (H extends ConditionHandle ? Condition : never)
  | (H extends BarrierHandle ? Barrier : never)
  | (H extends ActorHandle<infer M, infer R> ? Actor<M, R> : never)
  | (H extends ExchangeHandle<infer M> ? Exchange<M> : never)
  | (H extends PipeEnd<infer S, infer R> ? PipeConnection<S, R> : never);

/** `Sendable` for each parameter of a list. */
export type SendableArgs<A extends readonly unknown[]> = { [K in keyof A]: Sendable<A[K]> };
