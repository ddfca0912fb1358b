/**
 * What a `SharedCondition` needs of the lock under it (`SharedLock` or `SharedRLock`): the
 * task-scope condition protocol (sync/condition-protocol.ts), plus taking the lock back
 * blocking, for `waitSync`. Symbol-keyed so it stays off the public surface.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { ACQUIRE_RESTORE, IS_OWNED, RELEASE_SAVE } from '../sync/condition-protocol.js';
import type { SyncWaitOptions } from './blocking.js';

export { ACQUIRE_RESTORE, IS_OWNED, RELEASE_SAVE };

/** Re-takes the lock as `RELEASE_SAVE` left it, blocking this worker thread until it has it. */
export const ACQUIRE_RESTORE_SYNC: unique symbol = Symbol('weft.acquireRestoreSync');

/** A shared lock a `SharedCondition` can be built on. */
export interface SharedConditionLock {
  readonly buffer: SharedArrayBuffer;
  acquire(opts?: WaitOptions): Promise<boolean>;
  /** Blocks this worker thread until it holds the lock (`false` on timeout). */
  acquireSync(opts?: SyncWaitOptions): boolean;
  release(): void;
  locked(): boolean;
  guard(opts?: WaitOptions): Promise<Disposable>;
  [IS_OWNED](): boolean;
  [RELEASE_SAVE](): unknown;
  [ACQUIRE_RESTORE](saved: unknown): Promise<void>;
  [ACQUIRE_RESTORE_SYNC](saved: unknown): void;
}
