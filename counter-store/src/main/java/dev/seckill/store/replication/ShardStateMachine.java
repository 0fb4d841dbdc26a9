package dev.seckill.store.replication;

import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.inventory.InventoryBook;
import dev.seckill.store.inventory.Reject;
import dev.seckill.store.pipeline.Batch;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.shard.ShardState;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
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
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
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
    /** Reads entries built elsewhere; on the apply thread only. */
    private final EntryReader reader = new EntryReader();
    /** False in a group of one: only this process may submit entries. */
    private final boolean takesMemberEntries;
    private final AtomicLong refusedEntries = new AtomicLong();
    private final AtomicLong skippedEntries = new AtomicLong();
    private volatile byte[] uncheckedForTest;
    private volatile ShardStats stats = ShardStats.EMPTY;
    private volatile long lastSnapshotMillis;
    private volatile long lastSnapshotIndex = -1;
    /** Whether snapshots fail; written by the snapshot writer only. */
    private volatile SnapshotAlarm snapshotAlarm = SnapshotAlarm.NONE;
    private volatile boolean closed;
    /** The last clock stamp this node gave as leader. */
    private final AtomicLong lastStamp = new AtomicLong();

    /**
     * @param takesMemberEntries true in a group of more than one, whose leader takes the entries
     *                           its followers forward; false in a group of one
     */
    public ShardStateMachine(BookSettings settings, InFlightBatches inFlight, boolean takesMemberEntries) {
        this.settings = settings;
        this.state = new ShardState(settings);
        this.inFlight = inFlight;
        this.takesMemberEntries = takesMemberEntries;
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
     * On the leader, as it accepts an entry, before it is appended: refuses what no member would
     * send, then stamps the leader's clock into the entry (never going back), so the time every
     * replica applies is the leader's, even for entries a follower built.
     *
     * <p>Entries this process built were parsed on its I/O threads already: their structure is
     * checked (cheap, no allocation). Any other entry (forwarded by a follower) is read in full
     * with the same parser. A group of one takes entries from this process only. A refused entry
     * never reaches the log; its sender gets the reason as a {@code StateMachineException}.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] entry = request.getMessage().getContent().toByteArray();
        String refusal = refusal(request, entry);
        if (refusal != null) {
            long n = refusedEntries.incrementAndGet();
            LOG.warn("refused a log entry from client {} before the log ({} refused since start): {}",
                    request.getClientId(), n, refusal);
            TransactionContext refused = TransactionContext.newBuilder()
                    .setStateMachine(this)
                    .setClientRequest(request)
                    .setLogData(UnsafeByteOperations.unsafeWrap(entry))
                    .build();
            refused.setException(new IOException("counter-store refused the entry: " + refusal));
            return refused;
        }
        LogEntryFormat.setTime(entry, lastStamp.accumulateAndGet(System.currentTimeMillis(), Math::max));
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(UnsafeByteOperations.unsafeWrap(entry))
                .build();
    }

    /** Why {@code entry} may not enter the log, or null. */
    private String refusal(RaftClientRequest request, byte[] entry) {
        byte[] unchecked = uncheckedForTest;
        if (unchecked != null && Arrays.equals(unchecked, entry)) {
            uncheckedForTest = null;
            return null;
        }
        boolean own = request.getClientId().equals(inFlight.clientId());
        if (!own && !takesMemberEntries) {
            return "this store's Raft group has one member; it takes entries from its own process only";
        }
        if (own) {
            return LogEntryFormat.malformation(ByteBuffer.wrap(entry));
        }
        return new EntryReader().read(entry);
    }

    /**
     * Tests only: lets the next entry with exactly these bytes past {@link #startTransaction}'s
     * checks, as an entry written by an older version or damaged on disk would reach apply.
     */
    void acceptUncheckedForTest(byte[] entry) {
        uncheckedForTest = entry.clone();
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteString data = entry.getStateMachineLogEntry().getLogData();
        ByteBuffer view = data.asReadOnlyByteBuffer();
        String unreadable = LogEntryFormat.malformation(view);
        Batch batch = view.remaining() < LogEntryFormat.HEADER_BYTES ? null
                : inFlight.take(LogEntryFormat.origin(view), LogEntryFormat.batch(view));
        if (unreadable == null && batch != null && batch.size() != LogEntryFormat.count(view)) {
            unreadable = "it holds " + LogEntryFormat.count(view) + " commands, the batch it was built from "
                    + batch.size();
        }
        state.beginEntry(entry.getIndex());
        if (unreadable == null && batch != null) {
            // this node built the entry: its commands are parsed already and its clients wait here
            state.advanceTo(LogEntryFormat.time(view));
            for (int i = 0, n = batch.size(); i < n; i++) {
                batch.answer(i, state.execute(batch.command(i)));
            }
        } else if (unreadable == null) {
            unreadable = reader.parse(data.toByteArray());
            if (unreadable == null) {
                state.advanceTo(reader.time());
                for (int i = 0, n = reader.count(); i < n; i++) {
                    state.execute(reader.command(i));
                }
            }
        }
        if (unreadable != null) {
            skip(entry, unreadable, batch);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        stats = ShardStats.of(state.book(), state.counters().size(), entry.getIndex());
        return APPLIED;
    }

    /**
     * Passes over an entry that cannot be read, whole: the decision depends on its bytes alone, so
     * every replica skips it, and skips it again when it reads the log back after a restart.
     */
    private void skip(LogEntryProto entry, String why, Batch batch) {
        long n = skippedEntries.incrementAndGet();
        LOG.error("log entry {} is unreadable and was skipped, as every replica skips it ({} skipped since start): {}",
                TermIndex.valueOf(entry), n, why);
        if (batch != null) {
            batch.fail(Reply.error("ERR the log entry holding this command was unreadable and was skipped: " + why));
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

    /** Entries refused before the log since start (as leader: malformed, or not from a member). */
    public long refusedEntries() {
        return refusedEntries.get();
    }

    /** Unreadable entries skipped by apply since start. */
    public long skippedEntries() {
        return skippedEntries.get();
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
