package dev.seckill.sync.reconcile;

import java.util.Locale;

/** What a reconciliation changes when it finds drift. */
public enum RepairMode {
    /** Only report. */
    NONE,
    /** Rewrite the RDS rows from the store (the store holds the truth of every sale). */
    RDS,
    /** Restock or create the store's SKUs from the RDS figures (reservations cannot be rebuilt this way). */
    STORE;

    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }
}
