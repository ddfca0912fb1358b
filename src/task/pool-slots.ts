/**
 * The slots of a `TaskPool` as its map runs (task-pool-map.ts) see them: what a run needs
 * from its pool, what the pool needs from a run, and a place in the pool's FIFO of
 * callers waiting for a slot.
 * @module
 */
import { Waiter } from '../core/waiter.js';

/** Something queued in a pool's FIFO for a slot; `grant` takes the slot with `occupy()`, or passes. */
export abstract class SlotClaim extends Waiter<unknown> {
  abstract grant(): void;
}

/** A map run as its pool sees it: something `kill()` can stop. */
export interface PoolRun {
  fail(reason: unknown): void;
}

/** What a `MapRun` needs from its pool. */
export interface PoolSlots {
  readonly size: number;
  /** A slot is free and nobody is queued ahead of the caller. */
  hasFree(): boolean;
  /** Takes a slot (the caller checked there is one). */
  occupy(): void;
  /** Gives back a slot taken but not used; no hand-off needed (the queue was empty or is being served). */
  unoccupy(): void;
  /** Gives back a slot and serves the queue. */
  vacate(): void;
  enqueue(claim: SlotClaim): void;
  dequeue(claim: SlotClaim): void;
  /** Counts a task of a run as running in the pool. */
  track(): void;
  /** A task of a run ended (`failed`: with an error, or killed). */
  untrack(failed: boolean): void;
  registerRun(run: PoolRun): void;
  forgetRun(run: PoolRun): void;
}
