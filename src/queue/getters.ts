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
