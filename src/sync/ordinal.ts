/**
 * The one global order `acquireAll` takes locks in: every lock gets an ordinal when it is
 * created, and locks are always taken by ascending ordinal.
 * @module
 */
let nextOrdinal = 1;

/** A fresh ordinal, larger than every one handed out before. */
export function newOrdinal(): number {
  return nextOrdinal++;
}

/** Anything `acquireAll` can take: it has an ordinal and the usual acquire/release. */
export interface OrderedLock {
  /** Position of this lock in the global acquisition order. */
  readonly ordinal: number;
  acquire(opts?: import('../core/options.js').WaitOptions): Promise<boolean>;
  release(): void;
}
