/**
 * The symbol under which a queue shows its parked getters to `select()`.
 * @module
 */
export const GETTERS: unique symbol = Symbol('weft.queueGetters');
