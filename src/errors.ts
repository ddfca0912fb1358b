/**
 * Every error weft throws on purpose is one of these `Error` subclasses, so callers can
 * tell them apart with `instanceof` or by `name`.
 *
 * @example
 * ```ts
 * import { Queue, QueueEmpty } from 'weft';
 * const q = new Queue<number>();
 * try { q.getNowait(); } catch (e) { if (e instanceof QueueEmpty) console.log('nothing yet'); }
 * ```
 * @module
 */

/** Base of weft's own errors: sets `name` from the subclass so logs say what happened. */
abstract class WeftError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A primitive was used in a way its state does not allow: releasing a lock that is not
 * held, notifying without the lock, `taskDone()` called too often (Python's `RuntimeError`
 * and the `ValueError`s of the same kind).
 */
export class RuntimeError extends WeftError {}

/** An operation that must know the calling task (RLock ownership, `acquireAll` nesting) ran outside any task. */
export class NoTaskError extends RuntimeError {}

/** `getNowait()` on an empty queue, or `get({ timeout })` that found nothing in time (Python's `queue.Empty`). */
export class QueueEmpty extends WeftError {}

/** `putNowait()` on a full queue, or `put({ timeout })` that found no room in time (Python's `queue.Full`). */
export class QueueFull extends WeftError {}

/** A put on a queue that was shut down, or a get on one that is shut down and drained (Python 3.13's `queue.ShutDown`). */
export class QueueShutDown extends WeftError {}

/** A `Barrier` was aborted, reset, or a wait on it timed out (Python's `threading.BrokenBarrierError`). */
export class BrokenBarrierError extends WeftError {}

/** A task that holds locks through `acquireAll` asked for a lock that sorts before them: the order that prevents deadlock would break. */
export class LockOrderError extends WeftError {}

/** The operation was cancelled (Python's `asyncio.CancelledError`). */
export class CancelledError extends WeftError {}

/** An operation did not finish within its `timeout` (weft's own; `name === 'TimeoutError'`). */
export class TimeoutError extends WeftError {}

/** A worker thread or process died while running a task; carries its exit code or signal. */
export class WorkerCrashedError extends WeftError {}

/** A peer failed the HMAC challenge-response. */
export class AuthenticationError extends WeftError {}

/** Raised by an actor's `recv()` once the actor is closed and its mailbox is drained. */
export class ActorExit extends WeftError {}

/**
 * A pipe's `recv` found the other end closed and everything it sent already received
 * (Python's `EOFError` from `Connection.recv`).
 */
export class EOFError extends WeftError {}

/** A pipe's `send` found the other end closed: nobody will ever receive it (Python's `BrokenPipeError`). */
export class BrokenPipeError extends WeftError {}

/**
 * A handle on a primitive that lives in another thread or process can no longer reach it:
 * its owner ended, or the handle was released. Pending and later calls on the handle
 * reject with it instead of waiting forever.
 */
export class HandleClosedError extends WeftError {}

/**
 * Redis could not be reached when a `weft/redis` object first needed it (the message names
 * the address and what to start), or a command was refused because the connection was closed.
 */
export class RedisUnavailableError extends WeftError {}

/**
 * A Redis-scope acknowledgement or release came from a party whose lease had run out and
 * was taken over by another: the work it did may be done again elsewhere, and its result
 * was not recorded (the fencing of at-least-once delivery).
 */
export class LeaseLostError extends WeftError {}

/**
 * A Redis task that Redis lost: the server restarted without persistence (or the task
 * queue's keys were deleted) while the task waited, ran, waited for a retry or had its
 * outcome unread. Its future rejects with this instead of waiting forever; nothing will run
 * it. `appendonly yes` keeps tasks across Redis restarts.
 */
export class TaskLostError extends WeftError {}

/**
 * A `RedisQueue.join()` that was waiting when Redis lost the queue: the server restarted
 * without persistence (or the queue's keys were deleted), so the items it waited for were
 * lost, not acknowledged. A join made after the loss was noticed counts what the new server
 * holds. `appendonly yes` keeps items across Redis restarts.
 */
export class QueueStateLostError extends WeftError {}

/**
 * A Redis task named a module its worker may not load (not on the worker's `modules`
 * allow-list); the message names the module and the list. Nothing was loaded.
 */
export class ModuleNotAllowedError extends WeftError {}
