package dev.seckill.service.store;

/**
 * The store could not answer now: a timeout, a lost connection, no leader ({@code -TRYAGAIN}), a
 * full change feed ({@code -BACKLOG}), or the circuit breaker is open. The caller may retry later.
 */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreUnavailableException(String message) {
        super(message);
    }
}
