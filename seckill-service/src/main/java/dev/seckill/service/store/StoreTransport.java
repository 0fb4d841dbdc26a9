package dev.seckill.service.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * How {@link StoreGateway}'s commands reach the store: RESP over TCP through Lettuce
 * ({@link LettuceTransport}, any store), or calls into a node running in this JVM
 * ({@link LocalTransport}, the embedded default). The gateway keeps everything else (breaker,
 * timing, reading replies), so both behave alike.
 */
interface StoreTransport extends AutoCloseable {

    /** One command and its arguments (Strings, or numbers sent as integers). */
    record Request(StoreCommand command, Object... args) {

        /**
         * Safe to send again when it is not known whether the store applied it (the connection
         * broke, or {@code -TRYAGAIN}): a read, or a command the store dedupes by its request id
         * (counter-store README: a retried request id gets its first answer). {@code INV.CREATE}
         * is not (a second attempt could answer EXISTS), nor {@code INV.RESTOCK} without a request id.
         */
        boolean repeatable() {
            return switch (command) {
                case INV_CREATE -> false;
                case INV_RESTOCK -> args.length >= 3; // sku delta reqId
                case INV_GET, INV_RESERVATION, INFO, PING -> true;
                case INV_RESERVE, INV_CONFIRM, INV_CANCEL -> true; // by request id
            };
        }
    }

    /** A {@code -CODE message} answer, as the store sent it. */
    record ErrorLine(String text) {
    }

    /**
     * {@code redis://host:port} where the store listens (the embedded one too); of a list of
     * nodes, the one that answered last (the one the next exchange goes to first).
     */
    String uri();

    /** Every node this transport may use, {@code redis://host:port} each, in the order given. */
    default List<String> nodes() {
        return List.of(uri());
    }

    /**
     * Sends the requests back to back, in order, and waits for every answer until
     * {@code deadlineNanos} ({@link System#nanoTime}). Answers come as plain values: a map as
     * {@link java.util.Map}, an array as {@link java.util.List}, integers as Long, strings as
     * String, nil as null, and an error as {@link ErrorLine}.
     *
     * @throws StoreUnavailableException no answer in time, no connection, interrupted
     */
    Object[] exchange(Request[] requests, long deadlineNanos);

    /**
     * {@link #exchange} without waiting: the answers, or the same failures, complete the future
     * on {@code continueOn} (never on a thread of the store's own). This default waits for them on
     * a thread of a pool kept for such waits; a transport that can do better overrides it.
     */
    default CompletableFuture<Object[]> exchangeAsync(Request[] requests, long deadlineNanos, Executor continueOn) {
        return CompletableFuture.supplyAsync(() -> exchange(requests, deadlineNanos), Waiters.POOL)
                .whenCompleteAsync((replies, failure) -> { }, continueOn);
    }

    /** Threads that wait on a blocking {@link #exchange} for {@link #exchangeAsync}'s default. */
    final class Waiters {
        static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "store-waiter");
            t.setDaemon(true);
            return t;
        });

        private Waiters() {
        }
    }

    @Override
    void close();
}
