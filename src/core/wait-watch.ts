/**
 * `WaitWatch` — the weft waits parked under one task (or under one task group's scope in
 * it), so that killing the task or cancelling the scope interrupts them all.
 *
 * A wait used to add an abort listener to its task's signal and remove it again when it
 * ended; that pair cost more than the rest of a contended `Lock.acquire`. A watch is a plain
 * intrusive list instead, and nothing listens on the task's signal: `Task.kill` and the
 * task group that cancels its body call `interruptAll` themselves.
 * @module
 */

/** What a watch links: the part of a parked wait that knows how to interrupt it. */
export interface WatchedWait {
  readonly waiter: { interrupt(reason: unknown): void };
  watch: WaitWatch | undefined;
  watchPrev: WatchedWait | null;
  watchNext: WatchedWait | null;
}

/** The waits parked under one task or cancel scope. */
export class WaitWatch {
  /** Set once the task was killed or the scope cancelled; later waits are refused at once. */
  interrupted = false;
  /** The kill or cancellation reason, once `interrupted`. */
  reason: unknown = undefined;
  private head: WatchedWait | null = null;

  link(wait: WatchedWait): void {
    wait.watch = this;
    wait.watchNext = this.head;
    if (this.head !== null) this.head.watchPrev = wait;
    this.head = wait;
  }

  unlink(wait: WatchedWait): void {
    const { watchPrev: prev, watchNext: next } = wait;
    if (prev === null) this.head = next;
    else prev.watchNext = next;
    if (next !== null) next.watchPrev = prev;
    wait.watch = undefined;
    wait.watchPrev = wait.watchNext = null;
  }

  /** How many waits are parked here now. */
  get size(): number {
    let n = 0;
    for (let wait = this.head; wait !== null; wait = wait.watchNext) n++;
    return n;
  }

  /** Interrupts every wait here with `reason` (the first reason wins), and every later one. */
  interruptAll(reason: unknown): void {
    if (this.interrupted) return;
    this.interrupted = true;
    this.reason = reason;
    for (let wait = this.head; wait !== null; wait = this.head) {
      this.unlink(wait);
      wait.waiter.interrupt(reason);
    }
  }
}
