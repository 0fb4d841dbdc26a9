package dev.seckill.service.admission;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this service believes about one sale's stock, to turn buyers away without asking the
 * store: the sold-out flag, the last available figure the store gave, and the buyers in flight.
 * Beliefs only: the store decides every purchase that gets through.
 */
final class SaleGate {
    /** Set when the store answered SOLDOUT; cleared on restock, cancel, or a poll that sees stock. */
    final AtomicBoolean soldOut = new AtomicBoolean();
    /** When the next poll of a sold-out sale may go to the store (epoch ms). */
    final AtomicLong nextPollAt = new AtomicLong();
    /** The store's last word on available units; unknown (no gating) until the first answer. */
    volatile long knownAvailable = Long.MAX_VALUE;
    /** Buyers admitted and not yet answered. */
    final AtomicInteger inFlight = new AtomicInteger();
}
