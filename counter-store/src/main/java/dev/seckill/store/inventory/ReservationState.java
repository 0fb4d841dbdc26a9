package dev.seckill.store.inventory;

/** Where a request stands. Only RESERVED holds units that may still go back to available. */
public enum ReservationState {
    /** Units are held for the buyer until confirm, cancel or expiry. */
    RESERVED,
    /** Units are sold (confirmed reservation, or a straight deduct). */
    CONFIRMED,
    /** The buyer gave the units back. */
    CANCELLED,
    /** The time to live ran out; the units went back to available. */
    EXPIRED,
    /** The request was refused (sold out, limit...): nothing is held, the answer is remembered. */
    REJECTED
}
