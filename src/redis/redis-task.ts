/**
 * The `Future` of one Redis task: settled by the outcome its worker sends back, or at once
 * when it is cancelled (`cancel()` or its signal): a queued task is then removed from the
 * queue, a running one aborted on its worker.
 * @module
 */
import { CancelledError } from '../errors.js';
import { Future } from '../futures/future.js';

/** What a task tells its executor. */
export interface RedisTaskOwner {
  /** The task was cancelled here: remove it from the queue, or abort it where it runs. */
  cancelTask(task: RedisTask): void;
  /** The submit of the task was answered: its entry id, or the error of its burst. */
  taskWritten(task: RedisTask, error: unknown, entry: string | undefined): void;
}

/** @internal One submitted task. */
export class RedisTask<T = unknown> extends Future<T> {
  /** The stream entry of its first attempt, once the submit was written (`''` before). */
  entry = '';
  /** Cancelled before its entry id came back: cancel it in Redis once it does. */
  cancelWhenWritten = false;
  signal: AbortSignal | undefined = undefined;

  constructor(
    readonly owner: RedisTaskOwner,
    /** Its id across Redis. */
    readonly id: string,
  ) {
    super();
  }

  /**
   * Cancels the task unless its outcome is in: it is removed from the queue if it has not
   * started, else aborted on its worker; its future rejects with `CancelledError`. Returns
   * `false` when it is done already.
   */
  override cancel(): boolean {
    if (this.done()) return false;
    this.detach();
    super.cancel();
    this.owner.cancelTask(this as RedisTask);
    return true;
  }

  /** Told how its submit went (the task is its own receiver: no closure per submit). */
  answered(error: unknown, entry: string | undefined): void {
    this.owner.taskWritten(this as RedisTask, error, entry);
  }

  /** The abort listener of the task's signal. */
  handleEvent(): void {
    if (this.done()) return;
    const error = cancelledBy(this.signal!);
    this.detach();
    this.setException(error);
    this.owner.cancelTask(this as RedisTask);
  }

  /** Settles the task with its outcome (ignored when it was cancelled meanwhile). */
  settle(failed: boolean, value: unknown): void {
    if (this.done()) return;
    this.detach();
    if (failed) this.setException(value);
    else this.setResult(value as T);
  }

  private detach(): void {
    this.signal?.removeEventListener('abort', this);
    this.signal = undefined;
  }
}

/** The `CancelledError` a task whose `signal` aborted rejects with (the reason itself when it is one). */
export function cancelledBy(signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  return reason instanceof CancelledError
    ? reason
    : new CancelledError('the task was cancelled by its signal', { cause: reason });
}
