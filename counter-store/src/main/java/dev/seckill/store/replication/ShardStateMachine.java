package dev.seckill.store.replication;

import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;
import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.inventory.InventoryBook;
import dev.seckill.store.inventory.Reject;
import dev.seckill.store.pipeline.Batch;
import dev.seckill.store.shard.ShardState;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single writer. Ratis calls {@link #applyTransaction} for each committed entry, in log order,
 * from one thread; this is the only code that changes the shard's state. Answers go straight into
 * the waiting connections' reply slots when this node wrote the entry (the batch is found by the
 * entry's call id), so no reply is serialized into the log or sent back through Ratis.
 *
 * <p>Snapshots are frozen on the same thread between two entries, so they are always consistent
 * with the last applied index, and written to disk by a thread of their own while entries go on
 * being applied (see {@link #takeSnapshot}).
 */
public final class ShardStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ShardStateMachine.class);
    private static final CompletableFuture<Message> APPLIED = CompletableFuture.completedFuture(Message.EMPTY);

    /**
     * A snapshot may take at most this share of the time: the next one starts no sooner than
     * {@code WRITE_TIME_FACTOR} times the last one's writing time after it ended. With millions of
     * retained reservations a snapshot takes seconds of CPU, which an entry count alone would
     * spend again and again under load; the log keeps what the snapshot does not cover yet.
     */
    private static final int WRITE_TIME_FACTOR = 4;

    private final SnapshotStorage storage = new SnapshotStorage();
    /** Writes frozen states to snapshot files, one at a time, off the apply thread. */
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "snapshot-writer");
        t.setDaemon(true);
        return t;
    });
    /** The snapshot being written, or null. */
    private volatile CompletableFuture<Long> writing;
    /** The index of a snapshot written but not yet reported to Ratis, or -1. */
    private final AtomicLong written = new AtomicLong(-1);
    private volatile long notBeforeNanos = System.nanoTime();
    private final ShardState state;
    private final BookSettings settings;
    private final InFlightBatches inFlight;
    private final EntryApplier applier = new EntryApplier();
    private volatile ShardStats stats = ShardStats.EMPTY;
    private volatile long lastSnapshotMillis;
    private volatile long lastSnapshotIndex = -1;
    /** Whether snapshots fail; written by the snapshot writer only. */
    private volatile SnapshotAlarm snapshotAlarm = SnapshotAlarm.NONE;
    private volatile boolean closed;
    /** The last clock stamp this node gave as leader. */
    private final AtomicLong lastStamp = new AtomicLong();

    public ShardStateMachine(BookSettings settings, InFlightBatches inFlight) {
        this.settings = settings;
        this.state = new ShardState(settings);
        this.inFlight = inFlight;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        SnapshotFiles.deleteLeftovers(raftStorage.getStorageDir().getStateMachineDir().toPath());
        load(storage.getLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException {
        awaitSnapshotWriter(); // an older snapshot must not be published after the one installed
        load(storage.loadLatestSnapshot());
    }

    /**
     * On the leader, as it accepts an entry: stamps the leader's clock into it (never going back),
     * so the time every replica applies is the leader's, even for entries a follower built.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] entry = request.getMessage().getContent().toByteArray();
        if (entry.length < LogEntryFormat.HEADER_BYTES || entry[0] != LogEntryFormat.FORMAT) {
            throw new IOException("not a counter-store log entry");
        }
        LogEntryFormat.setTime(entry, lastStamp.accumulateAndGet(System.currentTimeMillis(), Math::max));
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(UnsafeByteOperations.unsafeWrap(entry))
                .build();
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        StateMachineLogEntryProto data = entry.getStateMachineLogEntry();
        byte[] header = data.getLogData().substring(0, LogEntryFormat.HEADER_BYTES).toByteArray();
        Batch batch = inFlight.take(LogEntryFormat.origin(header), LogEntryFormat.batch(header));
        state.beginEntry(entry.getIndex());
        if (batch != null) {
            // this node built the entry: its commands are parsed already and its clients wait here
            state.advanceTo(LogEntryFormat.time(header));
            for (int i = 0, n = batch.size(); i < n; i++) {
                batch.answer(i, state.execute(batch.command(i)));
            }
        } else {
            LogEntryFormat.read(data.getLogData().toByteArray(), applier);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        stats = ShardStats.of(state.book(), state.counters().size(), entry.getIndex());
        return APPLIED;
    }

    /** Applies the commands of an entry built elsewhere; reused, since there is one apply thread. */
    private final class EntryApplier implements LogEntryFormat.Visitor {
        final CommandParser parser = new CommandParser();

        @Override
        public void time(long leaderTime) {
            state.advanceTo(leaderTime);
        }

        @Override
        public void command(int index, Op op, byte[][] args) {
            try {
                state.execute(parser.parse(op, args));
            } catch (CommandException e) {
                LOG.error("log entry holds a command this version cannot parse: {}", e.getMessage());
            }
        }
    }

    /**
     * Called by Ratis on the apply thread when the log has grown enough since the last snapshot,
     * and again after every round of applied entries until a call returns a snapshot's index.
     * The first call freezes the state (O(SKUs and changes since the last freeze), not O(reservations):
     * tens of microseconds with millions retained) and hands it to the snapshot writer; calls
     * while it writes return -1 at once (no snapshot yet: Ratis keeps the log); the first call
     * after it wrote returns that snapshot's index, and Ratis then purges the log up to it.
     */
    @Override
    public long takeSnapshot() {
        long done = written.getAndSet(-1);
        if (done >= 0) {
            return done;
        }
        if (writing != null || closed || System.nanoTime() < notBeforeNanos) {
            return -1;
        }
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0 || last.getIndex() == lastSnapshotIndex) {
            return -1;
        }
        long frozenAt = System.nanoTime();
        ShardState.Frozen frozen = state.freeze();
        long freezeMicros = (System.nanoTime() - frozenAt) / 1_000;
        CompletableFuture<Long> job = CompletableFuture.supplyAsync(() -> write(frozen, last, freezeMicros), snapshotWriter);
        writing = job;
        job.whenComplete((index, failure) -> {
            if (failure != null) {
                // its files are deleted by now; the alarm is raised once no snapshot is in progress
                SnapshotAlarm alarm = snapshotAlarm.failed(failure, System.currentTimeMillis());
                long backoff = alarm.backoffMillis();
                notBeforeNanos = Math.max(notBeforeNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff));
                writing = null;
                snapshotAlarm = alarm;
                LOG.error("snapshot at {} failed ({} in a row); the log keeps every entry until one succeeds; "
                        + "next attempt in {} ms or later", last, alarm.failures(), backoff, failure);
            } else {
                snapshotAlarm = snapshotAlarm.succeeded();
                written.set(index);
                writing = null;
            }
        });
        return -1;
    }

    /** Writes a frozen state as the snapshot at {@code last}; on the snapshot writer's thread. */
    private long write(ShardState.Frozen frozen, TermIndex last, long freezeMicros) {
        long started = System.nanoTime();
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        try {
            // durable (file, checksum, rename and directory fsync'd) before Ratis may purge the log up to it
            MD5Hash md5 = SnapshotFiles.write(file, frozen::writeTo);
            storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            long took = System.nanoTime() - started;
            notBeforeNanos = System.nanoTime() + WRITE_TIME_FACTOR * took;
        }
        lastSnapshotMillis = System.currentTimeMillis();
        lastSnapshotIndex = last.getIndex();
        LOG.info("snapshot at {} written to {} ({} bytes, {} reservations; frozen in {} µs, written in {} ms)", last,
                file.getName(), file.length(), frozen.book().reservations(), freezeMicros,
                (System.nanoTime() - started) / 1_000_000);
        return last.getIndex();
    }

    /** Waits for a snapshot being written (before a new state is loaded, or on close). */
    private void awaitSnapshotWriter() {
        CompletableFuture<Long> job = writing;
        if (job != null) {
            try {
                job.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("snapshot writer: {}", e.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        awaitSnapshotWriter();
        snapshotWriter.shutdown();
        super.close();
    }

    /**
     * Ratis asks the storage to delete old snapshots after every call of {@link #takeSnapshot},
     * which lists the snapshot directory; while a snapshot is written that is every round of
     * applied entries, so the listing is done only when there is a newer snapshot to keep.
     */
    private static final class SnapshotStorage extends SimpleStateMachineStorage {
        private long cleanedUpTo = Long.MIN_VALUE;
        private File dir;

        @Override
        public void init(RaftStorage raftStorage) throws IOException {
            dir = raftStorage.getStorageDir().getStateMachineDir();
            super.init(raftStorage);
        }

        @Override
        public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
            SingleFileSnapshotInfo latest = getLatestSnapshot();
            long index = latest == null ? -1 : latest.getIndex();
            if (index != cleanedUpTo) {
                cleanedUpTo = index;
                super.cleanupOldSnapshots(policy);
                try {
                    SnapshotFiles.syncDirectory(dir.toPath()); // the deletions, durably
                } catch (IOException e) {
                    // not thrown: Ratis would then skip this round's log purge; an old snapshot that
                    // comes back after a crash is only disk space, the newest one is still chosen
                    LOG.warn("fsync of {} after deleting old snapshots failed: {}", dir, e.toString());
                }
            }
        }
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            // the file's bytes against the checksum saved with it (not the saved checksum against itself)
            MD5FileUtil.verifySavedMD5(file, MD5FileUtil.computeMd5ForFile(file));
        }
        try (InputStream raw = Files.newInputStream(file.toPath());
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            state.readFrom(in, settings);
        }
        TermIndex ti = snapshot.getTermIndex();
        updateLastAppliedTermIndex(ti.getTerm(), ti.getIndex());
        stats = ShardStats.of(state.book(), state.counters().size(), ti.getIndex());
        lastSnapshotMillis = file.lastModified();
        lastSnapshotIndex = ti.getIndex();
        LOG.info("state loaded from snapshot {}", snapshot);
    }

    /** Figures for INFO, as of the last applied entry; safe to read from any thread. */
    public ShardStats stats() {
        return stats;
    }

    public long lastSnapshotMillis() {
        return lastSnapshotMillis;
    }

    public long lastSnapshotIndex() {
        return lastSnapshotIndex;
    }

    /** True while a snapshot is being written (its temporary file exists). */
    public boolean snapshotInProgress() {
        return writing != null;
    }

    /** Whether snapshots are failing now, since when and why. */
    public SnapshotAlarm snapshotAlarm() {
        return snapshotAlarm;
    }

    /** An immutable copy of the book's figures, published after every entry. */
    public record ShardStats(long appliedIndex, int skus, int counters, int pendingReservations, int expiringReservations,
                             long nextExpiryAt, int rememberedRequestIds, int feedRows, long feedLastSeq, long feedAckedSeq,
                             long reserved, long confirmed, long cancelled, long expired, long[] rejects) {
        static final ShardStats EMPTY = new ShardStats(-1, 0, 0, 0, 0, Long.MAX_VALUE, 0, 0, 0, 0, 0, 0, 0, 0,
                new long[Reject.values().length]);

        static ShardStats of(InventoryBook b, int counters, long index) {
            long[] rejects = new long[Reject.values().length];
            for (Reject r : Reject.values()) {
                rejects[r.ordinal()] = b.rejects(r);
            }
            return new ShardStats(index, b.skuCount(), counters, b.pendingReservations(), b.expiringReservations(),
                    b.nextExpiryAt(), b.rememberedRequestIds(),
                    b.feed().size(), b.feed().lastSeq(), b.feed().ackedSeq(), b.reservedCount(),
                    b.confirmedCount(), b.cancelledCount(), b.expiredCount(), rejects);
        }

        public long rejects(Reject why) {
            return rejects[why.ordinal()];
        }
    }
}
