package dev.seckill.store.pipeline;

/** One slot of the ring: a command on its way into a log entry. Pre-allocated and reused. */
final class CommandEvent {
    /** The raw arguments, already validated by the I/O thread; null for a clock tick. */
    byte[][] args;
    /** Where the answer goes; null for a clock tick. */
    ReplySlot slot;

    void clear() {
        args = null;
        slot = null;
    }
}
