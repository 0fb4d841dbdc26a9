package dev.seckill.service.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * RESP over TCP: one shared Lettuce connection (Lettuce pipelines the commands of all request
 * threads on it, so the store packs them into few log entries), made on first use so the service
 * starts (and reports unhealthy) while an external store is still down.
 */
final class LettuceTransport implements StoreTransport {
    private static final StringCodec CODEC = StringCodec.UTF8;
    private static final long RECONNECT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile long lastConnectFailure = System.nanoTime() - RECONNECT_PAUSE_NANOS;

    LettuceTransport(RedisURI uri, Duration timeout) {
        this.uri = uri;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while disconnected, fail at once instead of queueing requests behind the outage
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    @Override
    public String uri() {
        return "redis://" + uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public Object[] exchange(Request[] requests, long deadlineNanos) {
        RedisAsyncCommands<String, String> async = connection().async();
        @SuppressWarnings("unchecked")
        RedisFuture<Object>[] futures = new RedisFuture[requests.length];
        for (int i = 0; i < requests.length; i++) {
            futures[i] = async.dispatch(requests[i].command(), new ReplyTree(), args(requests[i].args()));
        }
        Object[] replies = new Object[requests.length];
        for (int i = 0; i < replies.length; i++) {
            replies[i] = await(futures[i], deadlineNanos);
        }
        return replies;
    }

    private static Object await(RedisFuture<Object> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new StoreUnavailableException("the store did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the store");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RedisCommandExecutionException error) {
                return new ErrorLine(error.getMessage() == null ? "" : error.getMessage());
            }
            throw new StoreUnavailableException("the store call failed: " + cause.getMessage(), cause);
        }
    }

    /** The shared connection; after a failed attempt, callers fail at once for a second. */
    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        if (System.nanoTime() - lastConnectFailure < RECONNECT_PAUSE_NANOS) {
            throw new StoreUnavailableException("not connected to the store at " + uri());
        }
        synchronized (this) {
            if (connection != null) {
                return connection;
            }
            if (System.nanoTime() - lastConnectFailure < RECONNECT_PAUSE_NANOS) {
                throw new StoreUnavailableException("not connected to the store at " + uri());
            }
            try {
                connection = client.connect();
                return connection;
            } catch (RuntimeException e) {
                lastConnectFailure = System.nanoTime();
                throw new StoreUnavailableException("cannot connect to the store at " + uri() + ": " + e.getMessage(), e);
            }
        }
    }

    private static CommandArgs<String, String> args(Object[] values) {
        CommandArgs<String, String> a = new CommandArgs<>(CODEC);
        for (Object v : values) {
            if (v instanceof Number n) {
                a.add(n.longValue());
            } else {
                a.add(String.valueOf(v));
            }
        }
        return a;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
