/**
 * Symbol-keyed members a queue shows to the rest of weft only: its parked getters, for
 * `select()`, and the way back in for an item a get took that never reached its getter.
 * @module
 */
export const GETTERS: unique symbol = Symbol('weft.queueGetters');

/**
 * Puts back an item a get took but could not deliver (its getter died, or the answer could
 * not be sent): it comes out next, as if never taken.
 */
export const GIVE_BACK: unique symbol = Symbol('weft.queueGiveBack');

/**
 * A get for a handle that fetches items ahead of its consumer's code (see queue-prefetch.ts):
 * the item stays counted in `qsize()` until `LENT_RECEIVED`, or comes back by `GIVE_BACK`.
 */
export const LEND: unique symbol = Symbol('weft.queueLend');

/** Lent items reached their consumer's code (`[LENT_RECEIVED](count)`). */
export const LENT_RECEIVED: unique symbol = Symbol('weft.queueLentReceived');

/** Whether a queue's items come out in FIFO order, so a consumer may fetch ahead. */
export const PUSHES_AHEAD: unique symbol = Symbol('weft.queuePushesAhead');

/**
 * Reserves room for a producer in another thread or process (credits, see queue-credits.ts):
 * `[RESERVE](max)` returns how many slots it reserved, counted against `maxsize`.
 */
export const RESERVE: unique symbol = Symbol('weft.queueReserve');

/** An item put under a credit: it takes a slot `RESERVE` kept for it. */
export const PUT_RESERVED: unique symbol = Symbol('weft.queuePutReserved');

/** Reserved slots no item will take: they free (`[RELEASE_RESERVED](count)`). */
export const RELEASE_RESERVED: unique symbol = Symbol('weft.queueReleaseReserved');

/**
 * `full()` as a producer holding `own` credits sees it (`[FULL_BESIDE](own)`): its own
 * reserved slots are room for its puts, not part of the queue.
 */
export const FULL_BESIDE: unique symbol = Symbol('weft.queueFullBeside');
