package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;

/**
 * Finds where one complete answer ends in the bytes read from a connection, without building it:
 * the load generator only needs to know that an answer arrived and of which kind (RESP: an answer
 * or an error; HTTP: the status code). One instance per reader thread; not thread-safe.
 */
public interface AnswerFraming {
    /** No complete answer yet: wait for more bytes. */
    int INCOMPLETE = -1;

    /**
     * Looks for one complete answer at the buffer's position. If there is one, moves the position
     * past it and returns its kind (zero or more); if not, leaves the position alone and returns
     * {@link #INCOMPLETE}.
     *
     * @throws IllegalStateException on bytes that are not an answer of this protocol
     */
    int next(ByteBuffer in);

    /** Whether the server closes the connection after the answer {@link #next} just returned. */
    default boolean closesConnection() {
        return false;
    }
}
