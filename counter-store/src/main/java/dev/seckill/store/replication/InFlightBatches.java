package dev.seckill.store.replication;

import dev.seckill.store.pipeline.Batch;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The batches this node submitted to the log and has not seen applied yet, by call id. The log
 * entry carries the submitter's client id and call id, so the state machine can hand each entry's
 * answers to the connections waiting here, and entries written by another node (or by this node
 * before a restart) find nothing and are simply applied.
 */
public final class InFlightBatches {
    private final ClientId clientId = ClientId.randomId();
    private final ByteString clientIdBytes = clientId.toByteString();
    private final AtomicLong nextCallId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, Batch> batches = new ConcurrentHashMap<>();

    public ClientId clientId() {
        return clientId;
    }

    /** Registers a batch about to be submitted and returns its call id. */
    public long register(Batch batch) {
        long callId = nextCallId.getAndIncrement();
        batches.put(callId, batch);
        return callId;
    }

    /** The batch for an entry being applied, or null if another node or process wrote it. */
    Batch take(ByteString entryClientId, long callId) {
        if (!clientIdBytes.equals(entryClientId)) {
            return null;
        }
        return batches.remove(callId);
    }

    /** Forgets a batch whose submission failed; returns it if it was still waiting. */
    public Batch forget(long callId) {
        return batches.remove(callId);
    }

    public int size() {
        return batches.size();
    }
}
