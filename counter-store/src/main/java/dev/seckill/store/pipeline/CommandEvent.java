package dev.seckill.store.pipeline;

import dev.seckill.store.command.Op;

/** One slot of the ring: a command on its way into a log entry. Pre-allocated and reused. */
final class CommandEvent {
    /** What the command is. */
    Op op;
    /** The raw arguments, already validated by the I/O thread; null for a clock tick. */
    byte[][] args;
    /** Where the answer goes; null for a clock tick. */
    ReplySlot slot;

    void clear() {
        op = null;
        args = null;
        slot = null;
    }
}
