package dev.seckill.store;

import dev.seckill.store.StoreClient.Answer;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Buyers hammering a store: each thread has its own connection and sends INV.RESERVE with unique
 * request ids (every tenth command a plain INCR on a counter instead). Even threads wait for each
 * reply; odd threads pipeline up to 32 commands. Records every request sent, every answer received
 * (a reserved count, or a -SOLDOUT / -INSUFFICIENT refusal), and every request that got no answer
 * because the connection died. A thread stops when told, when its plan is done, or when its
 * connection dies.
 *
 * <p>Threads may be spread over several stores (the members of a Raft group: thread {@code t} talks
 * to store {@code t % n}), and error replies that mean "not done, try again" (such as
 * {@code -TRYAGAIN} while a group elects a leader) may be {@link #tolerating tolerated}: such a
 * request counts as unanswered, since the store may or may not have applied it.
 */
final class ReserveLoad {
    /** One INV.RESERVE as sent. */
    record Request(String reqId, String sku, long qty) {}

    private static final int PIPELINE_DEPTH = 32;

    final Map<String, Request> sent = new ConcurrentHashMap<>();
    final Map<String, Answer> answered = new ConcurrentHashMap<>();
    final Set<String> unanswered = ConcurrentHashMap.newKeySet();
    /** Anything a crash test does not expect: other error replies, hanging replies. */
    final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    final AtomicLong incrSent = new AtomicLong();
    final AtomicLong maxIncrAcked = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong incrUnanswered = new AtomicLong();
    /** Why each thread's connection failed (the first failure it saw), for diagnosis. */
    final Map<Integer, String> failures = new ConcurrentHashMap<>();
    /** Requests and INCRs answered with a tolerated error (see {@link #tolerating}); they are unanswered. */
    final AtomicLong toleratedErrors = new AtomicLong();
    /** One tolerated error reply of each kind seen, for diagnosis. */
    final Map<String, String> toleratedSamples = new ConcurrentHashMap<>();

    private final List<StoreClient> clients;
    private final Set<String> tolerated = ConcurrentHashMap.newKeySet();
    private final String tag;
    private final List<String> skus;
    private final double[] weights;
    private final String counterKey;
    private final int requestsPerThread;
    private final Map<String, LongAdder> unitsAcked = new ConcurrentHashMap<>();
    private final LongAdder acks = new LongAdder();
    private volatile boolean stop;
    private CountDownLatch finished;
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param tag               makes the request ids unique across loads ({@code tag-tN-n})
     * @param skus              where requests go, picked by {@code weights}
     * @param counterKey        the counter the INCRs go to
     * @param requestsPerThread how much each thread sends at most
     */
    ReserveLoad(StoreClient client, String tag, List<String> skus, double[] weights, String counterKey,
                int requestsPerThread) {
        this(List.of(client), tag, skus, weights, counterKey, requestsPerThread);
    }

    /** Thread {@code t} sends to {@code clients.get(t % clients.size())}. */
    ReserveLoad(List<StoreClient> clients, String tag, List<String> skus, double[] weights, String counterKey,
                int requestsPerThread) {
        this.clients = List.copyOf(clients);
        this.tag = tag;
        this.skus = skus;
        this.weights = weights;
        this.counterKey = counterKey;
        this.requestsPerThread = requestsPerThread;
        skus.forEach(s -> unitsAcked.put(s, new LongAdder()));
    }

    /**
     * Error codes (e.g. {@code TRYAGAIN}) that count as "no answer" instead of as unexpected: the
     * request goes to {@link #unanswered}, the thread goes on.
     */
    ReserveLoad tolerating(String... codes) {
        tolerated.addAll(List.of(codes));
        return this;
    }

    /** The store thread {@code t} sends to (an index into the clients given). */
    int storeOf(int thread) {
        return thread % clients.size();
    }

    ReserveLoad start(int threadCount) {
        finished = new CountDownLatch(threadCount);
        for (int t = 0; t < threadCount; t++) {
            // connect here, so a thread never races the store's death to its first command
            StatefulRedisConnection<String, String> conn = clients.get(storeOf(t)).connect();
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    run(id, conn);
                } catch (Throwable e) {
                    unexpected.add("load thread " + id + " failed: " + e);
                } finally {
                    finished.countDown();
                }
            }, "load-" + tag + "-" + t);
            th.setDaemon(true);
            threads.add(th);
        }
        threads.forEach(Thread::start);
        return this;
    }

    private void run(int t, StatefulRedisConnection<String, String> conn) throws InterruptedException {
        RedisAsyncCommands<String, String> async = conn.async();
        int depth = t % 2 == 0 ? 1 : PIPELINE_DEPTH;
        Semaphore window = new Semaphore(depth);
        Random rnd = new Random(tag.hashCode() * 31L + t);
        AtomicBoolean dead = new AtomicBoolean();
        long waitMillis = StoreClient.COMMAND_TIMEOUT.toMillis() + 5_000;
        for (int n = 0; n < requestsPerThread && !stop && !dead.get(); n++) {
            if (!window.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                unexpected.add("thread " + t + ": no reply within " + waitMillis + " ms (client hangs)");
                return;
            }
            if (n % 10 == 9) {
                incrSent.incrementAndGet();
                RedisFuture<Long> f = async.incr(counterKey);
                f.whenComplete((v, e) -> {
                    Answer a = StoreClient.answerOf(v, e);
                    if (a == null) {
                        incrUnanswered.incrementAndGet();
                        dead.set(true);
                    } else if (a.ok()) {
                        maxIncrAcked.accumulateAndGet(v, Math::max);
                    } else if (tolerated.contains(a.code())) {
                        incrUnanswered.incrementAndGet();
                        tolerate(a);
                    } else {
                        unexpected.add("INCR " + counterKey + " answered " + a);
                    }
                    window.release();
                });
                continue;
            }
            String sku = pick(rnd);
            long qty = 1 + rnd.nextInt(4);
            Request r = new Request(tag + "-t" + t + "-" + n, sku, qty);
            sent.put(r.reqId(), r);
            RedisFuture<Long> f = StoreClient.reserve(async, sku, qty, r.reqId());
            f.whenComplete((v, e) -> {
                Answer a = StoreClient.answerOf(v, e);
                if (a == null) {
                    unanswered.add(r.reqId());
                    failures.putIfAbsent(t, r.reqId() + ": " + e);
                    dead.set(true);
                } else if (!a.ok() && tolerated.contains(a.code())) {
                    unanswered.add(r.reqId());
                    tolerate(a);
                } else {
                    answered.put(r.reqId(), a);
                    acks.increment();
                    if (a.ok()) {
                        unitsAcked.get(sku).add(qty);
                    } else if (!a.code().equals("SOLDOUT") && !a.code().equals("INSUFFICIENT")) {
                        unexpected.add("INV.RESERVE " + sku + " " + qty + " " + r.reqId() + " answered " + a);
                    }
                }
                window.release();
            });
        }
        if (!window.tryAcquire(depth, waitMillis, TimeUnit.MILLISECONDS)) {
            unexpected.add("thread " + t + ": outstanding replies did not arrive within " + waitMillis
                    + " ms (client hangs)");
        }
    }

    private void tolerate(Answer a) {
        toleratedErrors.incrementAndGet();
        toleratedSamples.putIfAbsent(a.code(), a.error());
    }

    private String pick(Random rnd) {
        double x = rnd.nextDouble();
        for (int i = 0; i < skus.size() - 1; i++) {
            x -= weights[i];
            if (x < 0) {
                return skus.get(i);
            }
        }
        return skus.get(skus.size() - 1);
    }

    /** Units of {@code sku} whose reservation was acknowledged so far. */
    long unitsAcked(String sku) {
        return unitsAcked.get(sku).sum();
    }

    long acks() {
        return acks.sum();
    }

    boolean finished() {
        return finished.getCount() == 0;
    }

    void stop() {
        stop = true;
    }

    /**
     * Waits until every thread has its last reply or failure; true if they all did in time (a
     * client still waiting after that hangs). Every request sent then is answered or unanswered.
     */
    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
