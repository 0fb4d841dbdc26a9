package dev.seckill.store.replication;

import dev.seckill.store.pipeline.Batch;
import org.apache.ratis.protocol.ClientId;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The batches this process submitted to the log and has not seen applied yet. Each entry carries
 * its origin (this process's random id) and batch number, so the state machine of the node that
 * built it can hand the entry's answers to the connections waiting here, whether this node leads
 * or forwarded the entry to the leader; entries built elsewhere, or by this node before a
 * restart, find nothing and are simply applied.
 */
public final class InFlightBatches {
    private final ClientId clientId = ClientId.randomId();
    private final long origin = new SecureRandom().nextLong();
    private final AtomicLong nextCallId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, Batch> batches = new ConcurrentHashMap<>();

    public ClientId clientId() {
        return clientId;
    }

    public long origin() {
        return origin;
    }

    /** Registers a batch about to be submitted and returns its number (also its Raft call id). */
    public long register(Batch batch) {
        long callId = nextCallId.getAndIncrement();
        batches.put(callId, batch);
        return callId;
    }

    /** The batch for an entry being applied, or null if another node or process built it. */
    Batch take(long entryOrigin, long batch) {
        if (entryOrigin != origin) {
            return null;
        }
        return batches.remove(batch);
    }

    /** Forgets a batch whose submission failed; returns it if it was still waiting. */
    public Batch forget(long batch) {
        return batches.remove(batch);
    }

    public int size() {
        return batches.size();
    }
}
