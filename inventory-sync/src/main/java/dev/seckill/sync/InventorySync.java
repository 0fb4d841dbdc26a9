package dev.seckill.sync;

import dev.seckill.sync.feed.FeedBatch;
import dev.seckill.sync.feed.FeedRow;
import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.StoreClient;
import dev.seckill.sync.rds.BatchWriter;
import dev.seckill.sync.rds.RdsSchema;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The write-behind of one store shard to the RDS: polls {@code INV.CHANGES} after its checkpoint,
 * writes each batch in one transaction ({@link BatchWriter}), then {@code INV.ACK}s it, on a
 * thread of its own.
 *
 * <p>Exactly once: the checkpoint is committed with the rows, and the acknowledgement only comes
 * after the commit. A crash between the two leaves the batch in the store's feed; the next sync
 * reads it again and skips every row the checkpoint covers. Two syncs on one shard serialize on
 * the checkpoint row.
 *
 * <p>The store may be given as the list of its nodes ({@link SyncSettings#storeUri()}): when the
 * node the sync reads from fails, {@link StoreClient} moves to the next one, and the loop's next
 * attempt (after its usual backoff) goes there instead of waiting for the failed node to return.
 * Nothing else changes: the feed and its acknowledgements are replicated state, the same on
 * every node, and an {@code INV.ACK} still only follows the commit of the batch it covers.
 *
 * <p>In the service's JVM it may step aside for buyers ({@link SyncSettings.YieldToBuyers}): once
 * caught up, it waits (bounded) while purchases are arriving, then catches up in bigger batches.
 *
 * <p>An empty feed is polled less and less often, up to {@link SyncSettings#idlePollMax()} apart:
 * every poll is a linearizable read, so a Raft log entry.
 *
 * <p>Outages: database calls go through a resilience4j {@link Retry} (exponential backoff) and
 * {@link CircuitBreaker}; when both give up the loop waits (up to {@link SyncSettings#maxBackoff()})
 * and asks the store again, so it always writes the freshest compacted state. Meanwhile the store
 * keeps every unacknowledged row (one per SKU or request id, whatever the number of operations)
 * and takes sales until 10 million rows wait; past that it refuses new reservations with
 * {@code -BACKLOG} until the sync drains it.
 *
 * <pre>{@code
 * InventorySync sync = InventorySync.start(SyncSettings.of("redis://127.0.0.1:6380"), dataSource, registry);
 * sync.status();   // appliedSeq, lag, state...
 * sync.close();    // finishes the batch in hand, then stops
 * }</pre>
 */
public final class InventorySync implements AutoCloseable {
    /** Test hook: halt the JVM after this many commits, before their acknowledgement (a crash at the worst moment). */
    public static final String HALT_AFTER_COMMIT = "inventory.sync.haltAfterCommit";
    private static final System.Logger LOG = System.getLogger(InventorySync.class.getName());
    /** How often a sync holding back for buyers asks again whether they are still arriving. */
    private static final long YIELD_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final SyncSettings settings;
    private final StoreClient store;
    private final BatchWriter writer;
    private final SyncMetrics metrics;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final Thread thread;
    private final long haltAfterCommit = Long.getLong(HALT_AFTER_COMMIT, -1);
    /** (seq, time first seen) of the store's last sequence, oldest first: the lag in ms. */
    private final ArrayDeque<long[]> seen = new ArrayDeque<>();
    private final BatchListener listener;

    private volatile boolean running = true;
    private volatile boolean checkpointKnown;
    private volatile long applied;
    private volatile long storeLastSeq = -1; // until the first poll
    private volatile int lastBatchRows;
    private volatile long batches;
    private volatile String lastError;
    private volatile boolean failing;
    private long warnedGapAt = -1;
    /** The highest sequence this sync acknowledged to the store. */
    private long ackedByUs = -1;
    /**
     * The INV.CHANGES after the batch being written, asked for before its write: fetching and
     * decoding the next batch overlaps the database round trips and the commit. Only a read;
     * nothing is acknowledged before the commit of the batch it covers.
     */
    private StoreClient.PendingChanges ahead;
    private long aheadAskedAt;
    /** When the batch in hand was asked for (ms): the store's last sequence in it is that old at least. */
    private long askedAt;

    private InventorySync(SyncSettings settings, StoreClient store, DataSource ds, MeterRegistry registry, BatchListener listener) {
        this.settings = settings;
        this.store = store;
        this.listener = listener;
        this.writer = new BatchWriter(ds, settings.shard());
        this.metrics = new SyncMetrics(registry, settings.shard(), this::status);
        this.retry = Retry.of("inventory-sync-" + settings.shard(), RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2.0, settings.maxBackoff()))
                .retryExceptions(SQLException.class)
                .ignoreExceptions(CallNotPermittedException.class)
                .build());
        this.breaker = CircuitBreaker.of("inventory-sync-" + settings.shard(), CircuitBreakerConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
        this.thread = new Thread(this::run, "inventory-sync-" + settings.shard());
        this.thread.setDaemon(true);
    }

    /**
     * Connects to the store, checks the database has the schema, and starts syncing on a thread
     * of its own. Fails at once (and starts nothing) when the store does not answer or the
     * database lacks the tables; a database that is merely down is waited for.
     *
     * @throws IllegalArgumentException a bad store URI
     * @throws RdsSchema.SchemaMissingException the database has no inventory-sync tables
     * @throws io.lettuce.core.RedisConnectionException the store does not answer
     */
    public static InventorySync start(SyncSettings settings, DataSource ds, MeterRegistry registry) {
        return start(settings, ds, registry, null);
    }

    /** Same, calling {@code listener} after each committed batch (on the sync's thread). */
    public static InventorySync start(SyncSettings settings, DataSource ds, MeterRegistry registry, BatchListener listener) {
        StoreClient store = settings.redisClient() == null
                ? StoreClient.connect(settings.storeUri())
                : StoreClient.connect(settings.redisClient(), settings.storeUri());
        try {
            try {
                RdsSchema.check(ds);
            } catch (RdsSchema.DatabaseUnavailableException down) {
                // waited for in the loop: the store keeps the changes meanwhile
            }
            InventorySync sync = new InventorySync(settings, store, ds, registry, listener);
            sync.thread.start();
            return sync;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A snapshot of where the sync stands; cheap, any thread. */
    public SyncStatus status() {
        SyncStatus.State state;
        if (!running && !thread.isAlive()) {
            state = SyncStatus.State.STOPPED;
        } else if (breaker.getState() == CircuitBreaker.State.OPEN) {
            state = SyncStatus.State.CIRCUIT_OPEN;
        } else if (failing) {
            state = SyncStatus.State.RETRYING;
        } else {
            state = SyncStatus.State.RUNNING;
        }
        long a = applied;
        long last = storeLastSeq;
        return new SyncStatus(settings.shard(), state, a, last, Math.max(0, last - a), lagMs(a),
                lastBatchRows, batches, lastError, store.node());
    }

    /**
     * Stops: the batch in hand is finished (committed and acknowledged) or, if the database does
     * not answer within 15 s, abandoned (rolled back or committed; either way the next sync
     * continues correctly from the checkpoint). Then closes the store connection.
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }

    private void run() {
        long backoffMs = 0;
        long caughtUpAt = System.nanoTime();
        long idlePauseNanos = settings.idlePoll().toNanos();
        while (running) {
            if (yieldingToBuyers(caughtUpAt)) {
                long t = System.nanoTime();
                pause(YIELD_CHECK_NANOS);
                metrics.yielded.increment((System.nanoTime() - t) / 1e9);
                idlePauseNanos = settings.idlePoll().toNanos(); // buyers make changes: poll soon
                continue;
            }
            try {
                Poll poll = step();
                failing = false;
                lastError = null;
                backoffMs = 0;
                if (poll != Poll.EMPTY) {
                    idlePauseNanos = settings.idlePoll().toNanos(); // changes are flowing
                }
                if (poll != Poll.MORE) {
                    caughtUpAt = System.nanoTime();
                    pause(idlePauseNanos);
                }
                if (poll == Poll.EMPTY) {
                    // an idle shard is polled less and less often (each poll is a Raft log entry)
                    idlePauseNanos = Math.min(idlePauseNanos * 2, settings.idlePollMax().toNanos());
                }
            } catch (Exception e) {
                ahead = null; // after the backoff, poll afresh from the checkpoint
                failing = true;
                lastError = oneLine(e);
                if (e instanceof StoreException) {
                    metrics.storeFailures.increment();
                }
                backoffMs = Math.min(settings.maxBackoff().toMillis(), Math.max(100, backoffMs * 2));
                pause(TimeUnit.MILLISECONDS.toNanos(backoffMs));
            }
        }
    }

    /**
     * True while the sync should hold back for buyers: caught up less than {@code atMost} ago and
     * buyers still arriving. Once it runs again it catches up fully before it may yield again, so
     * the lag stays bounded under a steady stream of purchases too.
     */
    private boolean yieldingToBuyers(long caughtUpAt) {
        SyncSettings.YieldToBuyers y = settings.yieldTo();
        return y != null && System.nanoTime() - caughtUpAt < y.atMost().toNanos() && y.busy().getAsBoolean();
    }

    /** What one poll found. */
    private enum Poll {
        /** Nothing after the checkpoint. */
        EMPTY,
        /** Rows, all written: the feed had no more. */
        CAUGHT_UP,
        /** A full batch, or a checkpoint moved by someone else: poll again right away. */
        MORE
    }

    /** One poll and, if there were rows, one batch. */
    private Poll step() throws Exception {
        if (!checkpointKnown) {
            applied = database(() -> {
                writer.ensureCheckpoint();
                return writer.appliedSeq();
            });
            checkpointKnown = true;
        }
        long p0 = System.nanoTime();
        FeedBatch batch = storeCall(this::nextBatch);
        metrics.poll.record(System.nanoTime() - p0, TimeUnit.NANOSECONDS);
        storeLastSeq = batch.lastSeq();
        noteSeen(batch.lastSeq(), askedAt);
        if (batch.lastSeq() < applied) {
            throw new IllegalStateException("the store's change feed ends at " + batch.lastSeq()
                    + " but the RDS checkpoint of " + settings.shard() + " is " + applied
                    + ": a different or rebuilt store? rebuild it with `inventory-sync load --all`");
        }
        if (batch.ackedSeq() > applied) {
            // someone acknowledged further: another sync on this shard, or one that wrote elsewhere
            long inDatabase = database(writer::appliedSeq);
            if (inDatabase > applied) {
                applied = inDatabase;
                return Poll.MORE;
            }
            if (batch.ackedSeq() != warnedGapAt) {
                warnedGapAt = batch.ackedSeq();
                LOG.log(System.Logger.Level.WARNING, "the store acknowledged changes up to " + batch.ackedSeq()
                        + " that this database never got (checkpoint " + applied + "): run `inventory-sync reconcile --repair rds`");
            }
        }
        if (batch.ackedSeq() < applied && ackedByUs < applied) {
            // committed before a crash but never acknowledged: the store may forget those rows now
            storeCall(() -> ack(applied));
        }
        if (batch.rows().isEmpty()) {
            forgetSeen(applied);
            return Poll.EMPTY;
        }
        long last = batch.lastRowSeq(applied);
        boolean full = batch.rows().size() >= settings.batchSize();
        if (full) {
            aheadAskedAt = System.currentTimeMillis();
            ahead = storeCall(() -> store.changesAhead(last, settings.batchSize()));
        }
        long t0 = System.nanoTime();
        BatchWriter.WriteResult r = database(() -> writer.write(batch.rows(), last));
        metrics.commit.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        if (haltAfterCommit >= 0 && batches + 1 >= haltAfterCommit) {
            Runtime.getRuntime().halt(99); // test hook: a crash between the commit and the INV.ACK
        }
        applied = r.appliedSeq();
        batches++;
        lastBatchRows = batch.rows().size();
        record(batch, r);
        storeCall(() -> ack(r.appliedSeq()));
        forgetSeen(applied);
        if (listener != null) {
            listener.committed(r);
        }
        return full ? Poll.MORE : Poll.CAUGHT_UP;
    }

    /** The batch after the checkpoint: the one fetched ahead if it starts there, else a fresh poll. */
    private FeedBatch nextBatch() {
        StoreClient.PendingChanges next = ahead;
        ahead = null;
        if (next != null && next.afterSeq() == applied) {
            askedAt = aheadAskedAt;
            return next.await();
        }
        askedAt = System.currentTimeMillis();
        return store.changes(applied, settings.batchSize());
    }

    private long ack(long seq) {
        long waiting = store.ack(seq);
        ackedByUs = Math.max(ackedByUs, seq);
        return waiting;
    }

    private void record(FeedBatch batch, BatchWriter.WriteResult r) {
        metrics.batchRows.record(batch.rows().size());
        metrics.statements.increment(r.statements());
        metrics.skuRows.increment(r.skuRows());
        metrics.reservationRows.increment(r.reservationRows());
        metrics.skippedRows.increment(r.skippedRows());
        long now = System.currentTimeMillis();
        for (FeedRow row : batch.rows()) {
            if (row instanceof ReservationRow res && row.seq() > r.previousSeq()) {
                metrics.changeAge.record(Math.max(0, now - res.updatedAt()), TimeUnit.MILLISECONDS);
            }
        }
    }

    private <T> T database(CheckedSupplier<T> call) throws Exception {
        try {
            return Retry.decorateCheckedSupplier(retry, CircuitBreaker.decorateCheckedSupplier(breaker, call::get)).get();
        } catch (Exception e) {
            metrics.databaseFailures.increment();
            throw e;
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static <T> T storeCall(CheckedSupplier<T> call) throws Exception {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw new StoreException("store: " + oneLine(e), e);
        }
    }

    private synchronized void noteSeen(long lastSeq, long seenAt) {
        long[] newest = seen.peekLast();
        if (newest == null || lastSeq > newest[0]) {
            if (seen.size() >= 100_000) {
                seen.pollLast(); // keeps the oldest (what the lag is measured from), coarser after it
            }
            seen.addLast(new long[] {lastSeq, seenAt});
        }
    }

    private synchronized void forgetSeen(long appliedSeq) {
        while (!seen.isEmpty() && seen.peekFirst()[0] <= appliedSeq) {
            seen.pollFirst();
        }
    }

    private synchronized long lagMs(long appliedSeq) {
        for (long[] s : seen) {
            if (s[0] > appliedSeq) {
                return Math.max(0, System.currentTimeMillis() - s[1]);
            }
        }
        return 0;
    }

    private void pause(long nanos) {
        if (running) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    static String oneLine(Throwable e) {
        Throwable t = e;
        String msg = t.getMessage();
        while ((msg == null || msg.isBlank()) && t.getCause() != null) {
            t = t.getCause();
            msg = t.getMessage();
        }
        String text = msg == null ? t.getClass().getSimpleName() : msg;
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    /** Called after each committed batch, on the sync's thread. */
    @FunctionalInterface
    public interface BatchListener {
        void committed(BatchWriter.WriteResult result);
    }

    @FunctionalInterface
    private interface CheckedSupplier<T> {
        T get() throws Exception;
    }

    private static final class StoreException extends Exception {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
