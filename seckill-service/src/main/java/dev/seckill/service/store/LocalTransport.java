package dev.seckill.service.store;

import dev.seckill.store.local.LocalClient;
import dev.seckill.store.protocol.Reply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls into the counter-store running in this JVM ({@link LocalClient}): the same commands and
 * answers as over RESP, without the loopback socket, the RESP encoding and decoding on both sides,
 * and Lettuce's threads. Answers still wait for the log (fsync) as over RESP.
 */
final class LocalTransport implements StoreTransport {
    private final LocalClient client;
    private final String uri;

    LocalTransport(LocalClient client, String uri) {
        this.client = client;
        this.uri = uri;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public Object[] exchange(Request[] requests, long deadlineNanos) {
        CompletableFuture<Reply>[] futures = send(requests);
        Object[] replies = new Object[requests.length];
        for (int i = 0; i < replies.length; i++) {
            replies[i] = plain(await(futures[i], deadlineNanos));
        }
        return replies;
    }

    /**
     * The node completes its futures on its apply thread, the one thread every write goes through:
     * only the hop to {@code continueOn} runs there, the reading of the answers runs after it.
     */
    @Override
    public CompletableFuture<Object[]> exchangeAsync(Request[] requests, long deadlineNanos, Executor continueOn) {
        CompletableFuture<Reply>[] futures = send(requests);
        CompletableFuture<?> all = futures.length == 1 ? futures[0] : CompletableFuture.allOf(futures);
        return all.orTimeout(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
                .handleAsync((done, failure) -> {
                    if (failure != null) {
                        throw unavailable(failure instanceof CompletionException ? failure.getCause() : failure);
                    }
                    Object[] replies = new Object[futures.length];
                    for (int i = 0; i < replies.length; i++) {
                        replies[i] = plain(futures[i].join());
                    }
                    return replies;
                }, continueOn);
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<Reply>[] send(Request[] requests) {
        CompletableFuture<Reply>[] futures = new CompletableFuture[requests.length];
        for (int i = 0; i < requests.length; i++) {
            futures[i] = client.send(words(requests[i]));
        }
        return futures;
    }

    private static byte[][] words(Request request) {
        Object[] args = request.args();
        byte[][] words = new byte[args.length + 1][];
        words[0] = request.command().getBytes();
        for (int i = 0; i < args.length; i++) {
            words[i + 1] = String.valueOf(args[i]).getBytes(StandardCharsets.UTF_8);
        }
        return words;
    }

    private static Reply await(CompletableFuture<Reply> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the store");
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(e);
        }
    }

    private static StoreUnavailableException unavailable(Throwable failure) {
        return failure instanceof TimeoutException
                ? new StoreUnavailableException("the store did not answer in time")
                : new StoreUnavailableException("the store call failed: " + failure.getMessage(), failure);
    }

    /** The same values {@link ReplyTree} makes of a RESP answer. */
    private static Object plain(Reply reply) {
        if (reply instanceof Reply.Int i) {
            return i.value();
        } else if (reply instanceof Reply.Bulk b) {
            return new String(b.bytes(), StandardCharsets.UTF_8);
        } else if (reply instanceof Reply.Status s) {
            return s.text();
        } else if (reply instanceof Reply.Error e) {
            return new ErrorLine(e.text());
        } else if (reply instanceof Reply.Array a) {
            return list(a.items());
        } else if (reply instanceof Reply.MapReply m) {
            List<Reply> kv = m.keysAndValues();
            Map<Object, Object> out = new LinkedHashMap<>();
            for (int i = 0; i + 1 < kv.size(); i += 2) {
                out.put(plain(kv.get(i)), plain(kv.get(i + 1)));
            }
            return out;
        }
        return null; // Reply.Null
    }

    private static List<Object> list(List<Reply> items) {
        List<Object> out = new ArrayList<>(items.size());
        for (Reply r : items) {
            out.add(plain(r));
        }
        return out;
    }

    @Override
    public void close() {
        // nothing of its own: the embedded node is closed by its owner
    }
}
