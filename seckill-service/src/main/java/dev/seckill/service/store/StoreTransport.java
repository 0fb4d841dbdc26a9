package dev.seckill.service.store;

/**
 * How {@link StoreGateway}'s commands reach the store: RESP over TCP through Lettuce
 * ({@link LettuceTransport}, any store), or calls into a node running in this JVM
 * ({@link LocalTransport}, the embedded default). The gateway keeps everything else (breaker,
 * timing, reading replies), so both behave alike.
 */
interface StoreTransport extends AutoCloseable {

    /** One command and its arguments (Strings, or numbers sent as integers). */
    record Request(StoreCommand command, Object... args) {
    }

    /** A {@code -CODE message} answer, as the store sent it. */
    record ErrorLine(String text) {
    }

    /** {@code redis://host:port} where the store listens (the embedded one too). */
    String uri();

    /**
     * Sends the requests back to back, in order, and waits for every answer until
     * {@code deadlineNanos} ({@link System#nanoTime}). Answers come as plain values: a map as
     * {@link java.util.Map}, an array as {@link java.util.List}, integers as Long, strings as
     * String, nil as null, and an error as {@link ErrorLine}.
     *
     * @throws StoreUnavailableException no answer in time, no connection, interrupted
     */
    Object[] exchange(Request[] requests, long deadlineNanos);

    @Override
    void close();
}
