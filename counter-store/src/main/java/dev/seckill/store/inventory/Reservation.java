package dev.seckill.store.inventory;

import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.protocol.Reply;

/**
 * What one request id did: the units it holds or sold per SKU, and the first answer it got, which
 * every retry of the same request id receives again.
 */
public final class Reservation extends FeedRow {
    final String requestId;
    final String user;
    final String[] skus;
    final long[] quantities;
    final long createdAt;
    /** Store time at which a RESERVED reservation expires, 0 for never. */
    final long expiresAt;
    /** Orders reservations that expire at the same instant, the same way on every replica. */
    final long ordinal;
    /** The first answer when it is not a number (+OK, a refusal); null when it is: see {@link #availableAfter}. */
    private final Reply answer;
    /** The first answer when it is a number (the available count after the take), kept unboxed. */
    private final long availableAfter;
    ReservationState state;
    long updatedAt;
    /** Its slot in the book's {@link RequestTable} while the table maps the request id to it, else -1. */
    int slot = -1;
    /**
     * The book's freeze period in which it finished: {@link Integer#MAX_VALUE} while RESERVED, 0 if
     * it was made finished (a sale, a refusal). Written once by the apply thread, read racily by a
     * snapshot writer, to which any value after its freeze says the same: still pending then.
     */
    int finishedIn;
    /** The freeze period in which the book forgot its request id, {@link Integer#MAX_VALUE} until then; as {@link #finishedIn}. */
    int forgottenIn = Integer.MAX_VALUE;

    Reservation(String requestId, String user, String[] skus, long[] quantities, long createdAt,
                long expiresAt, long ordinal, Reply answer, ReservationState state) {
        this.requestId = requestId;
        this.user = user;
        this.skus = skus;
        this.quantities = quantities;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
        this.ordinal = ordinal;
        if (answer instanceof Reply.Int number) {
            this.answer = null;
            this.availableAfter = number.value();
        } else {
            this.answer = answer;
            this.availableAfter = 0;
        }
        this.state = state;
        this.updatedAt = createdAt;
        this.finishedIn = state == ReservationState.RESERVED ? Integer.MAX_VALUE : 0;
    }

    public String requestId() {
        return requestId;
    }

    public String user() {
        return user;
    }

    public String[] skus() {
        return skus.clone();
    }

    public long[] quantities() {
        return quantities.clone();
    }

    public long createdAt() {
        return createdAt;
    }

    public long expiresAt() {
        return expiresAt;
    }

    public long updatedAt() {
        return updatedAt;
    }

    public ReservationState state() {
        return state;
    }

    /** The first answer, which every retry of the request id gets again. */
    public Reply answer() {
        return answer != null ? answer : Reply.integer(availableAfter);
    }

    /** Whether the first answer was a number (a single-SKU take that succeeded). */
    boolean answeredWithANumber() {
        return answer == null;
    }

    /** True while the book's {@link RequestTable} maps the request id to this reservation. */
    boolean remembered() {
        return slot >= 0;
    }

    boolean finished() {
        return state != ReservationState.RESERVED;
    }
}
