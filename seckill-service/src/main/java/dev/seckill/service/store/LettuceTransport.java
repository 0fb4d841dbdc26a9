package dev.seckill.service.store;

import dev.seckill.sync.feed.StoreNodes;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * RESP over TCP to the store's nodes: one shared Lettuce connection per node (Lettuce pipelines
 * the commands of all request threads on it, so the store packs them into few log entries), made
 * on first use so the service starts (and reports unhealthy) while an external store is still down.
 *
 * <p><b>Failover.</b> The store may be given as the list of its Raft group's nodes; any node takes
 * every command. Exchanges go to the node that answered last. When that node fails (connection
 * refused or lost, or {@code -TRYAGAIN}/{@code -LOADING}: it cannot commit now) the next node in
 * order becomes the one to use, and the exchange is sent there if every command in it is
 * {@linkplain Request#repeatable() safe to send twice}; one that is not fails (503: its caller's
 * retry with the same Idempotency-Key is safe). A node that refused a connection is skipped for a
 * second. When every node failed and one of them was up but could not commit (an election), the
 * exchange pauses briefly (20 ms, doubling up to 200 ms) and goes round again; when none is up it
 * fails at once. Nothing runs past the caller's deadline: an exchange that times out on one node
 * is not sent to another (its time is spent), though the next exchange starts with another node.
 *
 * <p>Lettuce never resends on its own (no auto-reconnect): what was sent to a failed node is
 * resent by this class or not at all, and a lost connection is replaced on next use.
 */
final class LettuceTransport implements StoreTransport {
    private static final Logger LOG = LoggerFactory.getLogger(LettuceTransport.class);
    private static final StringCodec CODEC = StringCodec.UTF8;
    /** How long a node that refused a connection is skipped. */
    private static final long DOWN_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Node[] nodes;
    private final ClientResources resources;
    private final RedisClient client;
    /** Index of the node that answered last: every exchange tries it first. */
    private final AtomicInteger current = new AtomicInteger();

    LettuceTransport(List<RedisURI> uris, Duration timeout) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no store node given");
        }
        this.nodes = uris.stream().map(Node::new).toArray(Node[]::new);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                // this class decides what is sent again, and where: Lettuce must neither resend
                // after a reconnect nor queue requests behind an outage
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    @Override
    public String uri() {
        return nodes[current.get()].name;
    }

    @Override
    public List<String> nodes() {
        List<String> names = new ArrayList<>(nodes.length);
        for (Node n : nodes) {
            names.add(n.name);
        }
        return names;
    }

    @Override
    public Object[] exchange(Request[] requests, long deadlineNanos) {
        boolean repeatable = true;
        for (Request r : requests) {
            repeatable &= r.repeatable();
        }
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            int first = current.get();
            boolean someNodeBusy = false;
            StringBuilder why = null; // each failed node and why, made only on a failure
            for (int k = 0; k < nodes.length; k++) {
                int i = (first + k) % nodes.length;
                Node node = nodes[i];
                StatefulRedisConnection<String, String> c = node.connection(client, deadlineNanos);
                if (c == null) {
                    why = note(why, node);
                    continue; // nothing was sent to it
                }
                Object[] replies = new Object[requests.length];
                Outcome outcome = send(node, c, requests, replies, deadlineNanos);
                if (outcome == Outcome.ANSWERED) {
                    current.set(i);
                    return replies;
                }
                moveOn(i, node, outcome);
                if (outcome == Outcome.NOT_SENT) {
                    node.lost(c);
                    why = note(why, node);
                    continue; // Lettuce refused to send on a broken connection: safe anywhere else
                }
                if (outcome == Outcome.TIMED_OUT) {
                    throw new StoreUnavailableException("the store did not answer in time (" + node.name + ")");
                }
                if (outcome == Outcome.LOST) {
                    node.lost(c);
                } else {
                    someNodeBusy = true;
                }
                if (!repeatable) {
                    if (outcome == Outcome.BUSY) {
                        return replies; // the -TRYAGAIN is the answer: the gateway makes it a 503
                    }
                    throw new StoreUnavailableException("lost the connection to the store node " + node.name + " ("
                            + node.lastFailure + "); not sent again: it may have been applied");
                }
                why = note(why, node);
            }
            if (!someNodeBusy || System.nanoTime() + pause >= deadlineNanos) {
                throw new StoreUnavailableException(nodes.length == 1 ? "the store cannot serve now: " + why
                        : "no store node could serve now (" + why + ")");
            }
            LockSupport.parkNanos(pause); // an election, probably: a new leader serves within about a second
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while waiting for the store");
            }
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }

    private static StringBuilder note(StringBuilder why, Node node) {
        StringBuilder b = why == null ? new StringBuilder() : why.append("; ");
        return b.append(node.name).append(": ").append(node.lastFailure);
    }

    /** Later exchanges start with the node after {@code i}, unless another thread moved on already. */
    private void moveOn(int i, Node node, Outcome outcome) {
        int next = (i + 1) % nodes.length;
        if (nodes.length > 1 && current.compareAndSet(i, next)) {
            LOG.warn("store node {} {} ({}); using {} from now on", node.name,
                    switch (outcome) {
                        case TIMED_OUT -> "did not answer in time";
                        case LOST, NOT_SENT -> "lost its connection";
                        default -> "cannot commit now";
                    }, node.lastFailure, nodes[next].name);
        }
    }

    private enum Outcome { ANSWERED, BUSY, NOT_SENT, LOST, TIMED_OUT }

    /**
     * Sends the requests back to back on {@code c} and collects every answer into {@code replies}
     * (an error as {@link ErrorLine}).
     *
     * @return ANSWERED, or BUSY (some answer was -TRYAGAIN/-LOADING), NOT_SENT (the connection was
     *         found broken before anything was written), LOST (it broke after: what was sent may have
     *         been applied), TIMED_OUT (no answer by the deadline)
     */
    private static Outcome send(Node node, StatefulRedisConnection<String, String> c, Request[] requests,
                                Object[] replies, long deadlineNanos) {
        RedisAsyncCommands<String, String> async = c.async();
        @SuppressWarnings("unchecked")
        RedisFuture<Object>[] futures = new RedisFuture[requests.length];
        Outcome outcome = Outcome.ANSWERED;
        try {
            for (int i = 0; i < requests.length; i++) {
                futures[i] = async.dispatch(requests[i].command(), new ReplyTree(), args(requests[i].args()));
            }
            for (int i = 0; i < replies.length; i++) {
                try {
                    replies[i] = futures[i].get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RedisCommandExecutionException error) {
                        String line = error.getMessage() == null ? "" : error.getMessage();
                        replies[i] = new ErrorLine(line);
                        if (line.startsWith("TRYAGAIN") || line.startsWith("LOADING")) {
                            outcome = Outcome.BUSY;
                            node.lastFailure = line;
                        }
                    } else if (cause instanceof RedisCommandTimeoutException) {
                        return timedOut(node, futures);
                    } else {
                        node.lastFailure = cause == null ? "failed" : String.valueOf(cause.getMessage());
                        // once disconnected, Lettuce rejects every later command too (no auto-reconnect)
                        return i == 0 && node.lastFailure.startsWith("Currently not connected") ? Outcome.NOT_SENT
                                : Outcome.LOST;
                    }
                }
            }
            return outcome;
        } catch (TimeoutException e) {
            return timedOut(node, futures);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the store");
        } catch (RuntimeException e) { // dispatch on a connection that just closed
            node.lastFailure = String.valueOf(e.getMessage());
            return Outcome.LOST;
        }
    }

    private static Outcome timedOut(Node node, RedisFuture<Object>[] futures) {
        for (RedisFuture<Object> f : futures) {
            if (f != null) {
                f.cancel(false);
            }
        }
        node.lastFailure = "no answer in time";
        return Outcome.TIMED_OUT;
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
        for (Node n : nodes) {
            n.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** One store node: its connection (made on first use, replaced when lost) and why it last failed. */
    private static final class Node {
        final RedisURI uri;
        final String name;
        private volatile StatefulRedisConnection<String, String> connection;
        /** A connection being made; guarded by this. */
        private CompletableFuture<StatefulRedisConnection<String, String>> connecting;
        /** Until when (nanoTime) the node is skipped after refusing a connection. */
        private volatile long downUntil = System.nanoTime() - DOWN_PAUSE_NANOS;
        volatile String lastFailure = "not tried yet";

        Node(RedisURI uri) {
            this.uri = uri;
            this.name = StoreNodes.describe(uri);
        }

        /**
         * The open connection, or a new one (waiting for it until the deadline); null when the
         * node refused a connection within the last second, or does not connect in time.
         */
        StatefulRedisConnection<String, String> connection(RedisClient client, long deadlineNanos) {
            StatefulRedisConnection<String, String> c = connection;
            if (c != null && c.isOpen()) {
                return c;
            }
            CompletableFuture<StatefulRedisConnection<String, String>> pending;
            synchronized (this) {
                c = connection;
                if (c != null && c.isOpen()) {
                    return c;
                }
                if (c != null) {
                    connection = null;
                    c.closeAsync();
                    lastFailure = "connection closed";
                }
                if (System.nanoTime() - downUntil < 0) {
                    return null;
                }
                if (connecting == null) {
                    connecting = client.connectAsync(CODEC, uri).toCompletableFuture();
                }
                pending = connecting;
            }
            try {
                StatefulRedisConnection<String, String> made =
                        pending.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                synchronized (this) {
                    if (connecting == pending) {
                        connecting = null;
                        connection = made;
                    }
                }
                return made;
            } catch (TimeoutException e) {
                lastFailure = "connecting took too long";
                return null; // left connecting, for the next exchange
            } catch (ExecutionException e) {
                synchronized (this) {
                    if (connecting == pending) {
                        connecting = null;
                        downUntil = System.nanoTime() + DOWN_PAUSE_NANOS;
                    }
                }
                lastFailure = rootMessage(e.getCause());
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while connecting to the store");
            }
        }

        /** The connection {@code c} broke: the next use connects again. */
        void lost(StatefulRedisConnection<String, String> c) {
            synchronized (this) {
                if (connection == c) {
                    connection = null;
                }
            }
            c.closeAsync();
        }

        void close() {
            StatefulRedisConnection<String, String> c;
            synchronized (this) {
                c = connection;
                connection = null;
            }
            if (c != null) {
                c.close();
            }
        }

        private static String rootMessage(Throwable t) {
            Throwable root = t;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        }
    }
}
