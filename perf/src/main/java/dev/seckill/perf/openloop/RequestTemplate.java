package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;

/**
 * One request written again and again into a send buffer, with every {@value #ID} replaced by a
 * fresh id (a prefix and a sequence number), so each request is new to the server (a new
 * reservation, a new buyer) rather than a retry answered from memory.
 */
public interface RequestTemplate {
    /** The word replaced by a fresh id in each request. */
    String ID = "__id__";

    /** The most bytes one request takes (ids up to 19 digits). */
    int maxBytes();

    /** Appends the request with id number {@code id} (not negative); allocates nothing. */
    void write(ByteBuffer out, long id);
}
