package dev.seckill.store.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Connection figures for INFO. */
final class ClientStats {
    private final AtomicLong nextId = new AtomicLong();
    private final LongAdder connected = new LongAdder();
    private final LongAdder commands = new LongAdder();
    private final LongAdder rejectedInput = new LongAdder();

    long opened() {
        connected.increment();
        return nextId.incrementAndGet();
    }

    void closed() {
        connected.decrement();
    }

    void commandReceived() {
        commands.increment();
    }

    void rejectedInput() {
        rejectedInput.increment();
    }

    long connected() {
        return connected.sum();
    }

    long totalConnections() {
        return nextId.get();
    }

    long commands() {
        return commands.sum();
    }

    long rejectedInputs() {
        return rejectedInput.sum();
    }
}
