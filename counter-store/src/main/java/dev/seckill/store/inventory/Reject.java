package dev.seckill.store.inventory;

/** Why the book said no, counted for INFO. */
public enum Reject {
    SOLDOUT, INSUFFICIENT, LIMIT, NOSUCHSKU, BACKLOG, NOSUCHRESERVATION, EXPIRED, CANCELLED, CONFIRMED, EXISTS
}
