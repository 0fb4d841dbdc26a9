package dev.seckill.store.pipeline;

import dev.seckill.store.command.Command;

/** One slot of the ring: a command on its way into a log entry. Pre-allocated and reused. */
final class CommandEvent {
    /** The command as the I/O thread parsed it. */
    Command command;
    /** The raw arguments, already validated by the I/O thread; null for a clock tick. */
    byte[][] args;
    /** Where the answer goes; null for a clock tick. */
    ReplySlot slot;

    void clear() {
        command = null;
        args = null;
        slot = null;
    }
}
